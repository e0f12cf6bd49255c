/*
 * latent-bridge numeric kernels, compiled to WebAssembly with 128-bit SIMD (f64x2) by
 * scripts/build-wasm.sh (Debian clang-16 + lld-16; the .wasm is committed as base64 in
 * src/linalg/wasm/kernelsBinary.ts, so users and CI need no compiler).
 *
 * Why: V8 runs our TypeScript kernels at ~1–3 GFLOP/s; the same loops here run without bounds
 * checks and two doubles per instruction. Everything is double precision and follows the
 * TypeScript reference implementation in src/linalg/svd.ts step by step (test/wasm-kernels.test.ts
 * checks that both agree), so the numerical behaviour (backward stability, rank cut-offs, the
 * order of singular values) is the same. One exception: the singular vectors of matrices with
 * ≥ DC_MIN columns come from a divide-and-conquer bidiagonal SVD that the TypeScript code does not
 * have (same singular values to rounding; vectors may differ in sign, or within the span of equal
 * singular values).
 *
 * Memory: the module exports its linear memory; the TypeScript side (src/linalg/wasm/kernels.ts)
 * places the operands in it and passes byte offsets. No allocation happens here.
 */
#include <wasm_simd128.h>
#include <stddef.h>

typedef double f64;
typedef v128_t vec;

#define EXPORT(name) __attribute__((export_name(#name)))

static const f64 EPS = 0x1p-52;
static const f64 TINY = 0x1p-966;
/* The smallest normal double: a Householder norm below it is treated as zero (its reciprocal
 * would be infinite and the reflector NaN; dropping it perturbs A by less than 2^-1022). */
static const f64 MIN_NORMAL = 0x1p-1022;

static inline f64 absd(f64 x) { return __builtin_fabs(x); }
static inline f64 maxd(f64 a, f64 b) { return a > b ? a : b; }

static f64 hypotd(f64 a, f64 b) {
  a = absd(a);
  b = absd(b);
  if (a > b) {
    f64 r = b / a;
    return a * __builtin_sqrt(1 + r * r);
  }
  if (b != 0) {
    f64 r = a / b;
    return b * __builtin_sqrt(1 + r * r);
  }
  return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Level-1 pieces on contiguous ranges. */

static f64 dot(const f64 *x, const f64 *y, int len) {
  vec s0 = wasm_f64x2_splat(0), s1 = wasm_f64x2_splat(0);
  int i = 0;
  for (; i + 4 <= len; i += 4) {
    s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(wasm_v128_load(x + i), wasm_v128_load(y + i)));
    s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(wasm_v128_load(x + i + 2), wasm_v128_load(y + i + 2)));
  }
  s0 = wasm_f64x2_add(s0, s1);
  f64 s = wasm_f64x2_extract_lane(s0, 0) + wasm_f64x2_extract_lane(s0, 1);
  for (; i < len; i++) s += x[i] * y[i];
  return s;
}

/* y += t·x */
static void axpy(f64 *y, f64 t, const f64 *x, int len) {
  vec tv = wasm_f64x2_splat(t);
  int i = 0;
  for (; i + 4 <= len; i += 4) {
    wasm_v128_store(y + i, wasm_f64x2_add(wasm_v128_load(y + i), wasm_f64x2_mul(tv, wasm_v128_load(x + i))));
    wasm_v128_store(y + i + 2, wasm_f64x2_add(wasm_v128_load(y + i + 2), wasm_f64x2_mul(tv, wasm_v128_load(x + i + 2))));
  }
  for (; i < len; i++) y[i] += t * x[i];
}

/* (x, y) ← (c·x + s·y, −s·x + c·y) */
static void rotate_rows(f64 *x, f64 *y, int len, f64 c, f64 s) {
  vec cv = wasm_f64x2_splat(c), sv = wasm_f64x2_splat(s);
  int i = 0;
  for (; i + 2 <= len; i += 2) {
    vec a = wasm_v128_load(x + i), b = wasm_v128_load(y + i);
    wasm_v128_store(x + i, wasm_f64x2_add(wasm_f64x2_mul(cv, a), wasm_f64x2_mul(sv, b)));
    wasm_v128_store(y + i, wasm_f64x2_sub(wasm_f64x2_mul(cv, b), wasm_f64x2_mul(sv, a)));
  }
  for (; i < len; i++) {
    f64 a = x[i], b = y[i];
    x[i] = c * a + s * b;
    y[i] = -s * a + c * b;
  }
}

static void swap_rows(f64 *x, f64 *y, int len) {
  for (int i = 0; i < len; i++) {
    f64 t = x[i];
    x[i] = y[i];
    y[i] = t;
  }
}

/* ------------------------------------------------------------------------------------------ */
/*
 * Matrix products, blocked as GotoBLAS does: a KC×NC block of B is packed into 4-column panels, an
 * MC×KC block of A into 4-row panels, and a 4×4 register tile (eight f64x2 accumulators) sweeps the
 * shared KC dimension. Every operand is row-major with its own leading dimension, so sub-blocks of
 * larger arrays (the column stores of the QR below) are used in place.
 * The 4×4 tile is the fastest shape measured under V8 (Node 20, AVX2 EPYC, 10,000×768·768×768: 13.8
 * GFLOP/s): A panels stored pre-splatted (a load instead of a splat) 0.95×, a 6×4 tile 0.81× (V8 spills
 * past 15 vector registers), the p loop unrolled by two 0.88×. Any tile gives the same bits (each entry
 * sums its KC products in order), so the choice is speed alone.
 */
#define MC 128
#define KC 256
#define NC 1024
#define PACK_A_SIZE (MC * KC)
#define PACK_B_SIZE (KC * (NC + 4))

static void pack_b(const f64 *B, int ldb, int p0, int kc, int j0, int nc, f64 *out) {
  for (int jp = 0; jp < nc; jp += 4) {
    int w = nc - jp < 4 ? nc - jp : 4;
    f64 *o = out + (size_t)jp * kc;
    for (int p = 0; p < kc; p++) {
      const f64 *b = B + (size_t)(p0 + p) * ldb + j0 + jp;
      int c = 0;
      for (; c < w; c++) o[p * 4 + c] = b[c];
      for (; c < 4; c++) o[p * 4 + c] = 0;
    }
  }
}

/* transA: A is stored transposed (element (i, p) at A[p·lda + i]). */
static void pack_a(const f64 *A, int lda, int transA, f64 alpha, int i0, int mc, int p0, int kc, f64 *out) {
  for (int ip = 0; ip < mc; ip += 4) {
    int h = mc - ip < 4 ? mc - ip : 4;
    f64 *o = out + (size_t)ip * kc;
    if (transA) {
      for (int p = 0; p < kc; p++) {
        const f64 *a = A + (size_t)(p0 + p) * lda + i0 + ip;
        int r = 0;
        for (; r < h; r++) o[p * 4 + r] = alpha * a[r];
        for (; r < 4; r++) o[p * 4 + r] = 0;
      }
      continue;
    }
    for (int r = 0; r < 4; r++) {
      if (r < h) {
        const f64 *a = A + (size_t)(i0 + ip + r) * lda + p0;
        for (int p = 0; p < kc; p++) o[p * 4 + r] = alpha * a[p];
      } else {
        for (int p = 0; p < kc; p++) o[p * 4 + r] = 0;
      }
    }
  }
}

static void micro_kernel(int kc, const f64 *a, const f64 *b, f64 *C, int ldc, int h, int w) {
  vec c00 = wasm_f64x2_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    vec b0 = wasm_v128_load(b + 4 * p), b1 = wasm_v128_load(b + 4 * p + 2);
    vec a0 = wasm_f64x2_splat(a[4 * p]), a1 = wasm_f64x2_splat(a[4 * p + 1]);
    vec a2 = wasm_f64x2_splat(a[4 * p + 2]), a3 = wasm_f64x2_splat(a[4 * p + 3]);
    c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(a0, b0));
    c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(a0, b1));
    c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(a1, b0));
    c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(a1, b1));
    c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(a2, b0));
    c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(a2, b1));
    c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(a3, b0));
    c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(a3, b1));
  }
  if (h == 4 && w == 4) {
    f64 *r = C;
    wasm_v128_store(r, wasm_f64x2_add(wasm_v128_load(r), c00));
    wasm_v128_store(r + 2, wasm_f64x2_add(wasm_v128_load(r + 2), c01));
    r += ldc;
    wasm_v128_store(r, wasm_f64x2_add(wasm_v128_load(r), c10));
    wasm_v128_store(r + 2, wasm_f64x2_add(wasm_v128_load(r + 2), c11));
    r += ldc;
    wasm_v128_store(r, wasm_f64x2_add(wasm_v128_load(r), c20));
    wasm_v128_store(r + 2, wasm_f64x2_add(wasm_v128_load(r + 2), c21));
    r += ldc;
    wasm_v128_store(r, wasm_f64x2_add(wasm_v128_load(r), c30));
    wasm_v128_store(r + 2, wasm_f64x2_add(wasm_v128_load(r + 2), c31));
    return;
  }
  f64 t[16];
  wasm_v128_store(t, c00); wasm_v128_store(t + 2, c01);
  wasm_v128_store(t + 4, c10); wasm_v128_store(t + 6, c11);
  wasm_v128_store(t + 8, c20); wasm_v128_store(t + 10, c21);
  wasm_v128_store(t + 12, c30); wasm_v128_store(t + 14, c31);
  for (int r = 0; r < h; r++)
    for (int c = 0; c < w; c++) C[(size_t)r * ldc + c] += t[r * 4 + c];
}

/* C (m×n, ldc) += alpha·op(A)·B (k×n, ldb), op(A) = A (m×k, lda) or, with transA, Aᵀ for A k×m.
 * packA: PACK_A_SIZE doubles, packB: PACK_B_SIZE. */
static void gemm_acc(int m, int k, int n, f64 alpha, const f64 *A, int lda, int transA, const f64 *B, int ldb, f64 *C, int ldc,
                     f64 *packA, f64 *packB) {
  for (int j0 = 0; j0 < n; j0 += NC) {
    int nc = n - j0 < NC ? n - j0 : NC;
    for (int p0 = 0; p0 < k; p0 += KC) {
      int kc = k - p0 < KC ? k - p0 : KC;
      pack_b(B, ldb, p0, kc, j0, nc, packB);
      for (int i0 = 0; i0 < m; i0 += MC) {
        int mc = m - i0 < MC ? m - i0 : MC;
        pack_a(A, lda, transA, alpha, i0, mc, p0, kc, packA);
        for (int jp = 0; jp < nc; jp += 4) {
          int w = nc - jp < 4 ? nc - jp : 4;
          for (int ip = 0; ip < mc; ip += 4) {
            int h = mc - ip < 4 ? mc - ip : 4;
            micro_kernel(kc, packA + (size_t)ip * kc, packB + (size_t)jp * kc, C + (size_t)(i0 + ip) * ldc + j0 + jp, ldc, h, w);
          }
        }
      }
    }
  }
}

/* C = A·B (row-major, dense; C overwritten). */
EXPORT(dgemm)
void dgemm(const f64 *A, const f64 *B, f64 *C, int m, int k, int n, f64 *packA, f64 *packB) {
  for (size_t i = 0; i < (size_t)m * n; i++) C[i] = 0;
  gemm_acc(m, k, n, 1, A, k, 0, B, n, C, n, packA, packB);
}

/*
 * The pseudo-inverse from the singular vectors as rows: C (lp×lq) = Σ_{q<rank} P_qᵀ·Q_q / s_q, with
 * P = Vᵀ and Q = Uᵀ for a tall matrix (and the other way round for a wide one, decomposed through its
 * transpose). P's first rank rows are scaled in place.
 */
EXPORT(pinv_from_rows)
void pinv_from_rows(f64 *P, int lp, const f64 *Q, int lq, const f64 *s, int rank, f64 *C, f64 *packA, f64 *packB) {
  for (int q = 0; q < rank; q++) {
    f64 inv = 1 / s[q];
    f64 *row = P + (size_t)q * lp;
    for (int i = 0; i < lp; i++) row[i] *= inv;
  }
  for (size_t i = 0; i < (size_t)lp * lq; i++) C[i] = 0;
  if (rank > 0) gemm_acc(lp, rank, lq, 1, P, lp, 1, Q, lq, C, lq, packA, packB);
}

/*
 * The single-precision product, for callers that asked for it (IRP's transform with precision
 * "float32"): A (m×k) and B (k×n) float32, C (m×n) float64. The same GotoBLAS blocking, with a
 * 4×8 register tile of eight f32x4 accumulators (twice the multiply-adds per instruction of the
 * f64x2 tile; 4×4 and 6×8 tiles measured slower here: V8 has 15 vector registers and spills).
 * Each KC-long partial sum is accumulated in float32 and then added to C in float64, so the error
 * of an entry is at most (KC + 1)·2⁻²⁴·Σ_p |A_ip|·|B_pj| plus float64 rounding, whatever k is (the
 * inputs' own rounding to float32 is the caller's: 2·2⁻²⁴ more). The float32 packs fit in the
 * float64 packs' space (PACK_A_SIZE, PACK_B_SIZE doubles).
 */
#define SNR 8

static void pack_b32(const float *B, int ldb, int p0, int kc, int j0, int nc, float *out) {
  for (int jp = 0; jp < nc; jp += SNR) {
    int w = nc - jp < SNR ? nc - jp : SNR;
    float *o = out + (size_t)jp * kc;
    for (int p = 0; p < kc; p++) {
      const float *b = B + (size_t)(p0 + p) * ldb + j0 + jp;
      int c = 0;
      for (; c < w; c++) o[p * SNR + c] = b[c];
      for (; c < SNR; c++) o[p * SNR + c] = 0;
    }
  }
}

static void pack_a32(const float *A, int lda, int i0, int mc, int p0, int kc, float *out) {
  for (int ip = 0; ip < mc; ip += 4) {
    int h = mc - ip < 4 ? mc - ip : 4;
    float *o = out + (size_t)ip * kc;
    for (int r = 0; r < 4; r++) {
      if (r < h) {
        const float *a = A + (size_t)(i0 + ip + r) * lda + p0;
        for (int p = 0; p < kc; p++) o[p * 4 + r] = a[p];
      } else {
        for (int p = 0; p < kc; p++) o[p * 4 + r] = 0;
      }
    }
  }
}

/* C[0..w) += the float32 lanes lo (4) and hi (4), in float64. */
static void add_row8(f64 *C, vec lo, vec hi, int w) {
  if (w == SNR) {
    wasm_v128_store(C, wasm_f64x2_add(wasm_v128_load(C), wasm_f64x2_promote_low_f32x4(lo)));
    wasm_v128_store(C + 2, wasm_f64x2_add(wasm_v128_load(C + 2), wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(lo, lo, 2, 3, 0, 1))));
    wasm_v128_store(C + 4, wasm_f64x2_add(wasm_v128_load(C + 4), wasm_f64x2_promote_low_f32x4(hi)));
    wasm_v128_store(C + 6, wasm_f64x2_add(wasm_v128_load(C + 6), wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(hi, hi, 2, 3, 0, 1))));
    return;
  }
  float t[SNR];
  wasm_v128_store(t, lo);
  wasm_v128_store(t + 4, hi);
  for (int c = 0; c < w; c++) C[c] += (f64)t[c];
}

static void micro_kernel32(int kc, const float *a, const float *b, f64 *C, int ldc, int h, int w) {
  vec c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    vec b0 = wasm_v128_load(b + SNR * p), b1 = wasm_v128_load(b + SNR * p + 4);
    vec a0 = wasm_f32x4_splat(a[4 * p]), a1 = wasm_f32x4_splat(a[4 * p + 1]);
    vec a2 = wasm_f32x4_splat(a[4 * p + 2]), a3 = wasm_f32x4_splat(a[4 * p + 3]);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a0, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a0, b1));
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a1, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a1, b1));
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a2, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a2, b1));
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a3, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a3, b1));
  }
  add_row8(C, c00, c01, w);
  if (h > 1) add_row8(C + ldc, c10, c11, w);
  if (h > 2) add_row8(C + 2 * (size_t)ldc, c20, c21, w);
  if (h > 3) add_row8(C + 3 * (size_t)ldc, c30, c31, w);
}

/* C (float64, overwritten) = A·B for float32 A (m×k) and B (k×n), row-major. */
EXPORT(sgemm_f64)
void sgemm_f64(const float *A, const float *B, f64 *C, int m, int k, int n, f64 *packA, f64 *packB) {
  float *pa = (float *)packA, *pb = (float *)packB;
  for (size_t i = 0; i < (size_t)m * n; i++) C[i] = 0;
  for (int j0 = 0; j0 < n; j0 += NC) {
    int nc = n - j0 < NC ? n - j0 : NC;
    for (int p0 = 0; p0 < k; p0 += KC) {
      int kc = k - p0 < KC ? k - p0 : KC;
      pack_b32(B, n, p0, kc, j0, nc, pb);
      for (int i0 = 0; i0 < m; i0 += MC) {
        int mc = m - i0 < MC ? m - i0 : MC;
        pack_a32(A, k, i0, mc, p0, kc, pa);
        for (int jp = 0; jp < nc; jp += SNR) {
          int w = nc - jp < SNR ? nc - jp : SNR;
          for (int ip = 0; ip < mc; ip += 4) {
            int h = mc - ip < 4 ? mc - ip : 4;
            micro_kernel32(kc, pa + (size_t)ip * kc, pb + (size_t)jp * kc, C + (size_t)(i0 + ip) * n + j0 + jp, n, h, w);
          }
        }
      }
    }
  }
}

/*
 * W = L⁻¹ (p×p, row-major, lower triangular) of the Cholesky factor L (p×p, written too) of the
 * symmetric positive definite g (its lower triangle is read). Returns 0 when a pivot is not
 * positive. The loops are pinvGram.ts's inverseCholeskyFactor, operation for operation (the same
 * bits; the TypeScript one runs with LATENT_BRIDGE_KERNELS=js).
 */
EXPORT(inverse_cholesky)
int inverse_cholesky(const f64 *g, int p, f64 *l, f64 *w) {
  for (size_t i = 0; i < (size_t)p * p; i++) l[i] = w[i] = 0;
  for (int j = 0; j < p; j++) {
    const f64 *lj = l + (size_t)j * p;
    f64 d = g[(size_t)j * p + j];
    for (int k = 0; k < j; k++) d -= lj[k] * lj[k];
    if (!(d > 0)) return 0;
    f64 ljj = __builtin_sqrt(d);
    l[(size_t)j * p + j] = ljj;
    f64 inv = 1 / ljj;
    for (int i = j + 1; i < p; i++) {
      const f64 *li = l + (size_t)i * p;
      f64 s = g[(size_t)i * p + j];
      for (int k = 0; k < j; k++) s -= li[k] * lj[k];
      l[(size_t)i * p + j] = s * inv;
    }
  }
  for (int i = 0; i < p; i++) {
    f64 *wi = w + (size_t)i * p;
    const f64 *li = l + (size_t)i * p;
    for (int k = 0; k < i; k++) {
      f64 f = li[k];
      if (f == 0) continue;
      const f64 *wk = w + (size_t)k * p;
      for (int j = 0; j <= k; j++) wi[j] -= f * wk[j];
    }
    wi[i] += 1;
    f64 inv = 1 / li[i];
    for (int j = 0; j <= i; j++) wi[j] *= inv;
  }
  return 1;
}

EXPORT(dgemm_pack_a_size)
int dgemm_pack_a_size(void) { return PACK_A_SIZE; }
EXPORT(dgemm_pack_b_size)
int dgemm_pack_b_size(void) { return PACK_B_SIZE; }

/*
 * W (m×n, ldw; overwritten) = A (m×k, lda)·Bᵀ with B n×k (ldb): every entry a dot product of two
 * contiguous rows, computed in 4×2 tiles so each pair of loads feeds eight multiply-adds.
 */
static void gemm_nt(int m, int k, int n, const f64 *A, int lda, const f64 *B, int ldb, f64 *W, int ldw) {
  int i = 0;
  for (; i + 4 <= m; i += 4) {
    const f64 *a0 = A + (size_t)i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
    int j = 0;
    for (; j + 2 <= n; j += 2) {
      const f64 *b0 = B + (size_t)j * ldb, *b1 = b0 + ldb;
      vec s00 = wasm_f64x2_splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
      int p = 0;
      for (; p + 2 <= k; p += 2) {
        vec x0 = wasm_v128_load(b0 + p), x1 = wasm_v128_load(b1 + p);
        vec y0 = wasm_v128_load(a0 + p), y1 = wasm_v128_load(a1 + p), y2 = wasm_v128_load(a2 + p), y3 = wasm_v128_load(a3 + p);
        s00 = wasm_f64x2_add(s00, wasm_f64x2_mul(y0, x0));
        s01 = wasm_f64x2_add(s01, wasm_f64x2_mul(y0, x1));
        s10 = wasm_f64x2_add(s10, wasm_f64x2_mul(y1, x0));
        s11 = wasm_f64x2_add(s11, wasm_f64x2_mul(y1, x1));
        s20 = wasm_f64x2_add(s20, wasm_f64x2_mul(y2, x0));
        s21 = wasm_f64x2_add(s21, wasm_f64x2_mul(y2, x1));
        s30 = wasm_f64x2_add(s30, wasm_f64x2_mul(y3, x0));
        s31 = wasm_f64x2_add(s31, wasm_f64x2_mul(y3, x1));
      }
#define HSUM(v) (wasm_f64x2_extract_lane(v, 0) + wasm_f64x2_extract_lane(v, 1))
      f64 r00 = HSUM(s00), r01 = HSUM(s01), r10 = HSUM(s10), r11 = HSUM(s11);
      f64 r20 = HSUM(s20), r21 = HSUM(s21), r30 = HSUM(s30), r31 = HSUM(s31);
#undef HSUM
      for (; p < k; p++) {
        r00 += a0[p] * b0[p]; r01 += a0[p] * b1[p];
        r10 += a1[p] * b0[p]; r11 += a1[p] * b1[p];
        r20 += a2[p] * b0[p]; r21 += a2[p] * b1[p];
        r30 += a3[p] * b0[p]; r31 += a3[p] * b1[p];
      }
      f64 *w = W + (size_t)i * ldw + j;
      w[0] = r00; w[1] = r01; w += ldw;
      w[0] = r10; w[1] = r11; w += ldw;
      w[0] = r20; w[1] = r21; w += ldw;
      w[0] = r30; w[1] = r31;
    }
    for (; j < n; j++) {
      const f64 *b0 = B + (size_t)j * ldb;
      W[(size_t)i * ldw + j] = dot(a0, b0, k);
      W[(size_t)(i + 1) * ldw + j] = dot(a1, b0, k);
      W[(size_t)(i + 2) * ldw + j] = dot(a2, b0, k);
      W[(size_t)(i + 3) * ldw + j] = dot(a3, b0, k);
    }
  }
  for (; i < m; i++)
    for (int j = 0; j < n; j++) W[(size_t)i * ldw + j] = dot(A + (size_t)i * lda, B + (size_t)j * ldb, k);
}

/* ------------------------------------------------------------------------------------------ */
/*
 * Householder QR of a column store (row j = column j of the m×n matrix), in place, blocked as
 * LAPACK's dgeqrf: a panel of QB columns is factorised column by column, its reflectors are
 * gathered into the compact WY form H_0·…·H_{b−1} = I − Y·T·Yᵀ (dlarft), and the rest of the matrix
 * is updated with three matrix products instead of b rank-one passes. On return the upper triangle
 * holds R, the entries of column k below the diagonal the reflector v_k (v_k[k] = 1 implicit),
 * tau[k] its factor: H_k = I − τ_k·v_k·v_kᵀ, Q = H_0·…·H_{n−1}. scratch: qr_scratch_size(m, n).
 */
#define QB 32

EXPORT(qr_scratch_size)
int qr_scratch_size(int m, int n) { return QB * m + 2 * QB * QB + 2 * n * QB + PACK_A_SIZE + PACK_B_SIZE + 64; }

struct WyScratch { f64 *Y, *T, *G, *W, *W2, *packA, *packB; };

static struct WyScratch carve(f64 *scratch, int m, int n) {
  struct WyScratch w;
  w.Y = scratch;
  w.T = w.Y + QB * m;
  w.G = w.T + QB * QB;
  w.W = w.G + QB * QB;
  w.W2 = w.W + n * QB;
  w.packA = w.W2 + n * QB;
  w.packB = w.packA + PACK_A_SIZE;
  return w;
}

/* Reflectors k0..k0+b−1 of the column store c as explicit rows of length mr = m − k0 (zeros above,
 * one on the diagonal), and T of I − Y·T·Yᵀ (upper triangular, QB×QB row-major). */
static void form_wy(const f64 *c, int ldc, int m, int k0, int b, const f64 *tau, struct WyScratch *w) {
  int mr = m - k0;
  for (int i = 0; i < b; i++) {
    f64 *y = w->Y + (size_t)i * mr;
    const f64 *v = c + (size_t)(k0 + i) * ldc + k0;
    for (int p = 0; p < i; p++) y[p] = 0;
    y[i] = 1;
    for (int p = i + 1; p < mr; p++) y[p] = v[p];
  }
  gemm_nt(b, mr, b, w->Y, mr, w->Y, mr, w->G, QB);
  f64 *T = w->T;
  for (int i = 0; i < b; i++) {
    T[i * QB + i] = tau[k0 + i];
    // T[0:i, i] = −τ_i·T[0:i, 0:i]·(Yᵀ y_i)[0:i]
    for (int r = 0; r < i; r++) {
      f64 acc = 0;
      for (int q = r; q < i; q++) acc += T[r * QB + q] * w->G[q * QB + i];
      T[r * QB + i] = -tau[k0 + i] * acc;
    }
    for (int r = i + 1; r < b; r++) T[r * QB + i] = 0;
  }
}

/* ct (rows × mr, ld) ← ct − (ct·Y)·op(T)·Yᵀ. The columns of a matrix C are the rows of ct, so with
 * op(T) = T this is C ← Qᵀ·C = (I − Y·Tᵀ·Yᵀ)·C (QR's trailing update) and with op(T) = Tᵀ (transT)
 * it is C ← Q·C. */
static void apply_wy(f64 *ct, int ld, int rows, int mr, int b, int transT, struct WyScratch *w) {
  if (rows == 0) return;
  gemm_nt(rows, mr, b, ct, ld, w->Y, mr, w->W, QB);
  for (int r = 0; r < rows; r++) {
    const f64 *wr = w->W + (size_t)r * QB;
    f64 *out = w->W2 + (size_t)r * QB;
    for (int j = 0; j < b; j++) {
      f64 acc = 0;
      if (transT) for (int q = j; q < b; q++) acc += wr[q] * w->T[j * QB + q];
      else for (int q = 0; q <= j; q++) acc += wr[q] * w->T[q * QB + j];
      out[j] = acc;
    }
  }
  gemm_acc(rows, b, mr, -1, w->W2, QB, 0, w->Y, mr, ct, ld, w->packA, w->packB);
}

EXPORT(householder_qr)
void householder_qr(f64 *c, int m, int n, f64 *tau, f64 *scratch) {
  struct WyScratch w = carve(scratch, m, n);
  for (int k0 = 0; k0 < n; k0 += QB) {
    int b = n - k0 < QB ? n - k0 : QB;
    if (b > m - k0) b = m - k0;
    if (b <= 0) {
      for (int k = k0; k < n; k++) tau[k] = 0;
      break;
    }
    for (int k = k0; k < k0 + b; k++) {
      f64 *ck = c + (size_t)k * m;
      f64 norm = 0;
      for (int i = k; i < m; i++) norm = hypotd(norm, ck[i]);
      tau[k] = 0;
      if (norm < MIN_NORMAL) continue; // zero, or subnormal (no finite reciprocal): H = I
      f64 x0 = ck[k];
      f64 beta = x0 >= 0 ? -norm : norm;
      f64 inv = 1 / (x0 - beta);
      for (int i = k + 1; i < m; i++) ck[i] *= inv;
      tau[k] = (beta - x0) / beta;
      ck[k] = beta;
      for (int j = k + 1; j < k0 + b; j++) {
        f64 *cj = c + (size_t)j * m;
        f64 wj = cj[k] + dot(ck + k + 1, cj + k + 1, m - k - 1);
        f64 tw = tau[k] * wj;
        cj[k] -= tw;
        axpy(cj + k + 1, -tw, ck + k + 1, m - k - 1);
      }
    }
    if (k0 + b < n) {
      form_wy(c, m, m, k0, b, tau, &w);
      apply_wy(c + (size_t)(k0 + b) * m + k0, m, n - k0 - b, m - k0, b, 0, &w);
    }
  }
}

/* u (column store: ncols columns of length m, leading dimension ldu) ← Q·u, Q = H_0·…·H_{nref−1}
 * with reflector k in row k of v (leading dimension ldv; entries after k, the one at k implicit),
 * one block of QB reflectors at a time, last block first. scratch: qr_scratch_size(m, ncols). */
static void apply_q_ld(const f64 *v, int ldv, int m, int nref, const f64 *tau, f64 *u, int ldu, int ncols, f64 *scratch) {
  if (nref <= 0 || ncols <= 0) return;
  struct WyScratch w = carve(scratch, m, ncols);
  int last = ((nref - 1) / QB) * QB;
  for (int k0 = last; k0 >= 0; k0 -= QB) {
    int b = nref - k0 < QB ? nref - k0 : QB;
    if (b > m - k0) b = m - k0;
    if (b <= 0) continue;
    form_wy(v, ldv, m, k0, b, tau, &w);
    apply_wy(u + k0, ldu, ncols, m - k0, b, 1, &w);
  }
}

/* apply_q_ld for householder_qr's output (v and u both with rows of length m). */
EXPORT(apply_q)
void apply_q(const f64 *v, int m, int nref, const f64 *tau, f64 *u, int ncols, f64 *scratch) {
  apply_q_ld(v, m, m, nref, tau, u, m, ncols, scratch);
}

/* ------------------------------------------------------------------------------------------ */
/*
 * Deferred transformations of U and V. The QR sweeps never read U or V, so their rotations, sign
 * flips and swaps are recorded and replayed later in one pass over the store, eight columns (one
 * cache line per row) at a time: each strip then takes every recorded operation while it stays in
 * cache, instead of every sweep streaming the whole m×n store through memory — which is what limits
 * large SVDs (2,048×1,792: ~4× slower than the arithmetic allows).
 */
enum { OP_FCHAIN, OP_ROT, OP_SWAP, OP_SCALE };
#define LOG_ENTRIES 2048
#define LOG_POOL_PER_ROW 64
/* A rotation whose cosine is below this is applied in standard form (see log_chain). */
#define FAST_MIN_COS 0.0625
#define SCALE_LIMIT 0x1p-256

/*
 * Rotations are recorded in the square-root-free ("fast Givens") form: the store holds W with the
 * true rows equal to d_r·W_r, and a rotation (c, s) of rows j, j+1 becomes
 *   W_j ← W_j + α·W_{j+1},  W_{j+1} ← β·W_j + W_{j+1},  α = (s/c)·d_{j+1}/d_j,  β = −(s/c)·d_j/d_{j+1},
 * with d_j, d_{j+1} multiplied by c: two multiplications and two additions per element instead of
 * four and two, with the same rounding error relative to the true rows as the standard form. The
 * d's are bookkeeping (scalars); a row whose d drifts below 2^−256 is rescaled (W_r ← d_r·W_r,
 * d_r ← 1), rotations with |c| < 1/16 are applied in standard form to rescaled rows, and every
 * row is rescaled at the end. Sign flips only negate d; swaps also swap the d's.
 */
struct Log {
  f64 *X;       /* the store: rows of length len */
  int len, rows;
  int *op, *a, *b, *off;
  f64 *cs, *sn; /* coefficient pool */
  f64 *d;       /* true row r = d[r]·X row r */
  int count, used, pool;
};

EXPORT(log_scratch_size)
int log_scratch_size(int n) { return 2 * (2 * LOG_POOL_PER_ROW * n + n + 2 * LOG_ENTRIES + 8); }

static struct Log log_init(f64 *X, int len, int rows, f64 *mem) {
  struct Log g;
  g.X = X;
  g.len = len;
  g.rows = rows;
  g.pool = LOG_POOL_PER_ROW * rows;
  g.cs = mem;
  g.sn = mem + g.pool;
  g.d = mem + 2 * g.pool;
  for (int r = 0; r < rows; r++) g.d[r] = 1;
  int *ints = (int *)(g.d + rows + (rows & 1));
  g.op = ints;
  g.a = ints + LOG_ENTRIES;
  g.b = ints + 2 * LOG_ENTRIES;
  g.off = ints + 3 * LOG_ENTRIES;
  g.count = 0;
  g.used = 0;
  return g;
}

/*
 * A chain of fast rotations (step j mixes rows from+j and from+j+1, in order) on eight columns: the
 * running row stays in four registers while the chain walks down the rows, so each element is
 * loaded and stored once per chain.
 */
static void strip_fchain8(f64 *r, int len, int steps, const f64 *al, const f64 *be) {
  vec x0 = wasm_v128_load(r), x1 = wasm_v128_load(r + 2), x2 = wasm_v128_load(r + 4), x3 = wasm_v128_load(r + 6);
  for (int j = 0; j < steps; j++) {
    f64 *q = r + len;
    vec a = wasm_f64x2_splat(al[j]), b = wasm_f64x2_splat(be[j]);
    vec y0 = wasm_v128_load(q), y1 = wasm_v128_load(q + 2), y2 = wasm_v128_load(q + 4), y3 = wasm_v128_load(q + 6);
    wasm_v128_store(r, wasm_f64x2_add(x0, wasm_f64x2_mul(a, y0)));
    wasm_v128_store(r + 2, wasm_f64x2_add(x1, wasm_f64x2_mul(a, y1)));
    wasm_v128_store(r + 4, wasm_f64x2_add(x2, wasm_f64x2_mul(a, y2)));
    wasm_v128_store(r + 6, wasm_f64x2_add(x3, wasm_f64x2_mul(a, y3)));
    x0 = wasm_f64x2_add(y0, wasm_f64x2_mul(b, x0));
    x1 = wasm_f64x2_add(y1, wasm_f64x2_mul(b, x1));
    x2 = wasm_f64x2_add(y2, wasm_f64x2_mul(b, x2));
    x3 = wasm_f64x2_add(y3, wasm_f64x2_mul(b, x3));
    r = q;
  }
  wasm_v128_store(r, x0);
  wasm_v128_store(r + 2, x1);
  wasm_v128_store(r + 4, x2);
  wasm_v128_store(r + 6, x3);
}

/* strip_fchain8 on sixteen columns: eight independent running vectors hide the latency of each
 * step's multiply–add. */
static void strip_fchain16(f64 *r, int len, int steps, const f64 *al, const f64 *be) {
  vec x[8];
  for (int v = 0; v < 8; v++) x[v] = wasm_v128_load(r + 2 * v);
  for (int j = 0; j < steps; j++) {
    f64 *q = r + len;
    vec a = wasm_f64x2_splat(al[j]), b = wasm_f64x2_splat(be[j]);
#pragma clang loop unroll(full)
    for (int v = 0; v < 8; v++) {
      vec y = wasm_v128_load(q + 2 * v);
      wasm_v128_store(r + 2 * v, wasm_f64x2_add(x[v], wasm_f64x2_mul(a, y)));
      x[v] = wasm_f64x2_add(y, wasm_f64x2_mul(b, x[v]));
    }
    r = q;
  }
  for (int v = 0; v < 8; v++) wasm_v128_store(r + 2 * v, x[v]);
}

/* Replays entry e on columns [i, i+w) of every row it touches. */
static void replay(struct Log *g, int e, int i, int w) {
  f64 *X = g->X;
  const int len = g->len;
  const int a = g->a[e], b = g->b[e];
  switch (g->op[e]) {
    case OP_FCHAIN: {
      const f64 *al = g->cs + g->off[e], *be = g->sn + g->off[e];
      if (w == 16) {
        strip_fchain16(X + (size_t)a * len + i, len, b - a, al, be);
      } else if (w == 8) {
        strip_fchain8(X + (size_t)a * len + i, len, b - a, al, be);
      } else {
        for (int c = i; c < i + w; c++) {
          f64 *r = X + (size_t)a * len + c;
          f64 x = *r;
          for (int j = 0; j < b - a; j++) {
            f64 *q = r + len;
            f64 y = *q;
            *r = x + al[j] * y;
            x = y + be[j] * x;
            r = q;
          }
          *r = x;
        }
      }
      break;
    }
    case OP_ROT: {
      const f64 c = g->cs[g->off[e]], s = g->sn[g->off[e]];
      rotate_rows(X + (size_t)a * len + i, X + (size_t)b * len + i, w, c, s);
      break;
    }
    case OP_SCALE: {
      const f64 f = g->cs[g->off[e]];
      f64 *r = X + (size_t)a * len + i;
      for (int c = 0; c < w; c++) r[c] *= f;
      break;
    }
    default:
      swap_rows(X + (size_t)a * len + i, X + (size_t)b * len + i, w);
  }
}

static void log_flush(struct Log *g) {
  if (g->count == 0) return;
  int i = 0;
  for (; i + 16 <= g->len; i += 16)
    for (int e = 0; e < g->count; e++) replay(g, e, i, 16);
  for (; i + 8 <= g->len; i += 8)
    for (int e = 0; e < g->count; e++) replay(g, e, i, 8);
  if (i < g->len)
    for (int e = 0; e < g->count; e++) replay(g, e, i, g->len - i);
  g->count = 0;
  g->used = 0;
}

/* Appends an entry with room for `coefficients` pool values; returns the entry's pool offset. */
static int log_push(struct Log *g, int op, int a, int b, int coefficients) {
  if (g->count == LOG_ENTRIES || g->used + coefficients > g->pool) log_flush(g);
  g->op[g->count] = op;
  g->a[g->count] = a;
  g->b[g->count] = b;
  g->off[g->count] = g->used;
  g->count++;
  g->used += coefficients;
  return g->off[g->count - 1];
}

/* W_r ← d_r·W_r, d_r ← 1. */
static void log_scale(struct Log *g, int r) {
  if (g->d[r] == 1) return;
  int o = log_push(g, OP_SCALE, r, r, 1);
  g->cs[o] = g->d[r];
  g->d[r] = 1;
}

/* A standard rotation of true rows r1, r2 (rows rescaled first). */
static void log_rot(struct Log *g, int r1, int r2, f64 c, f64 s) {
  log_scale(g, r1);
  log_scale(g, r2);
  int o = log_push(g, OP_ROT, r1, r2, 1);
  g->cs[o] = c;
  g->sn[o] = s;
}

/* Records the chain of rotations j = from..to−1 (rotation j mixes rows j and j+1). */
static void log_chain(struct Log *g, int from, int to, const f64 *cs, const f64 *sn) {
  int j = from;
  while (j < to) {
    // Written as !(… >= …) so that a NaN cosine takes the one-rotation branch and the loop still
    // advances (with `<` it would start a fast chain of length 0 and never move on).
    if (!(absd(cs[j]) >= FAST_MIN_COS)) {
      log_rot(g, j, j + 1, cs[j], sn[j]);
      j++;
      continue;
    }
    int end = j;
    while (end < to && absd(cs[end]) >= FAST_MIN_COS) end++;
    int o = log_push(g, OP_FCHAIN, j, end, end - j);
    f64 *al = g->cs + o, *be = g->sn + o, *d = g->d;
    for (int q = j; q < end; q++) {
      f64 t = sn[q] / cs[q];
      al[q - j] = t * (d[q + 1] / d[q]);
      be[q - j] = -t * (d[q] / d[q + 1]);
      d[q] *= cs[q];
      d[q + 1] *= cs[q];
    }
    for (int q = j; q <= end; q++)
      if (absd(d[q]) < SCALE_LIMIT) log_scale(g, q);
    j = end;
  }
}

static void log_negate(struct Log *g, int r) { g->d[r] = -g->d[r]; }

static void log_swap(struct Log *g, int r1, int r2) {
  log_push(g, OP_SWAP, r1, r2, 0);
  f64 t = g->d[r1];
  g->d[r1] = g->d[r2];
  g->d[r2] = t;
}

/* Rescales every row and replays what is left. */
static void log_finish(struct Log *g) {
  for (int r = 0; r < g->rows; r++) log_scale(g, r);
  log_flush(g);
}

/* ------------------------------------------------------------------------------------------ */
/*
 * Divide and conquer SVD of an upper bidiagonal matrix (Gu & Eisenstat 1995, the algorithm of
 * LAPACK's dbdsdc / dlasd0–dlasd4 that numpy's gesdd uses), for the singular vectors of large
 * matrices. The QR iteration above spends ~6n³ flops of Givens rotations on U and V; here almost all
 * the work is matrix products (gemm_acc), whose flop rate is ~1.3× higher and whose count is ~3× lower.
 *
 * A node is an N×(N+sqre) upper bidiagonal B (diagonal d, superdiagonal e; sqre = 1 adds a last
 * column). Splitting at row k leaves B1 (rows < k, k×(k+1)), row k (α = d_k at column k, β = e_k at
 * column k+1) and B2 (rows > k, nr×(nr+sqre)). With B1 = U1·[Σ1 0]·W1ᵀ and B2 = U2·[Σ2 0]·W2ᵀ,
 * B = Q_L·M·Q_Rᵀ where M is an "arrow": first row z, diagonal (0, Σ1, Σ2) — z_j = α·(last row of
 * W1) or β·(first row of W2), and the two null vectors of the halves are rotated into one column
 * (the other is the null vector of B when sqre = 1). M's singular values are the roots of the secular
 * equation f(σ) = 1 + Σ z_j²/(d_j² − σ²); its vectors are v ∝ z_j/(d_j² − σ²), u ∝ (−1, d_j·v_j),
 * computed with Löwner's recomputed z so that they are orthogonal to working precision. Tiny z_j and
 * nearly equal d_j deflate (the entry is a singular value already). Leaves (N ≤ DC_LEAF) use the
 * QR iteration. Singular values come out ascending; U (N×N) and W ((N+sqre)², null vector last)
 * are row-major blocks of leading dimension ld, the node's at (r0, r0).
 */
#define DC_LEAF 24
#define DC_MIN 48

int svd_columns(f64 *At, int m, int n, int want, f64 *s, f64 *e, f64 *work, f64 *Ut, f64 *Vt,
                f64 *csV, f64 *snV, f64 *csU, f64 *snU, f64 *Vr, f64 *tau, f64 *scratch, f64 *logMem, f64 *dcMem);

static int dc_leaf_size(void) {
  const int m = DC_LEAF + 1, n = DC_LEAF;
  return m * n + (n + 2) + (n + 1) + (m + 1) + n * m + n * n + 4 * n + n * n + 2 * n + qr_scratch_size(m, n) +
         log_scratch_size(n) + m + 16;
}

struct Dc {
  int nmax;
  f64 *ut, *vt, *t;                           /* (nmax+1)² each */
  f64 *p, *z, *dd, *zz, *pk, *zk, *zhat, *tau, *xu, *xv, *val, *rc, *rs, *ds, *de; /* nmax+2 each */
  int *perm, *kind, *keep, *origin, *ra, *rb, *order;                   /* nmax+2 each */
  f64 *packA, *packB, *leaf;
};

#define DC_VECTORS 15
#define DC_INTS 7
EXPORT(dc_scratch_size)
int dc_scratch_size(int n) {
  return 3 * (n + 1) * (n + 1) + (DC_VECTORS + DC_INTS) * (n + 2) + PACK_A_SIZE + PACK_B_SIZE + dc_leaf_size() + 64;
}

static struct Dc dc_carve(f64 *mem, int n) {
  struct Dc w;
  const size_t sq = (size_t)(n + 1) * (n + 1), v = (size_t)n + 2;
  w.nmax = n;
  w.ut = mem; w.vt = w.ut + sq; w.t = w.vt + sq;
  f64 *q = w.t + sq;
  f64 **vecs[DC_VECTORS] = {&w.p, &w.z, &w.dd, &w.zz, &w.pk, &w.zk, &w.zhat, &w.tau, &w.xu, &w.xv, &w.val, &w.rc, &w.rs, &w.ds, &w.de};
  for (int i = 0; i < DC_VECTORS; i++, q += v) *vecs[i] = q;
  int **ints[DC_INTS] = {&w.perm, &w.kind, &w.keep, &w.origin, &w.ra, &w.rb, &w.order};
  for (int i = 0; i < DC_INTS; i++, q += v) *ints[i] = (int *)q;
  w.packA = q; w.packB = w.packA + PACK_A_SIZE; w.leaf = w.packB + PACK_B_SIZE;
  return w;
}

/* Column `cols` of W (rows×(cols+1), ld): a unit vector orthogonal to its first cols (orthonormal)
 * columns — the standard basis vector least covered by them, projected out twice. */
static void null_complement(f64 *W, int ld, int rows, int cols, f64 *x) {
  int best = 0;
  f64 bestNorm = 2;
  for (int i = 0; i < rows; i++) {
    f64 r = 0;
    for (int c = 0; c < cols; c++) r += W[(size_t)i * ld + c] * W[(size_t)i * ld + c];
    if (r < bestNorm) { bestNorm = r; best = i; }
  }
  for (int i = 0; i < rows; i++) x[i] = i == best ? 1 : 0;
  for (int pass = 0; pass < 2; pass++) {
    for (int c = 0; c < cols; c++) {
      f64 coef = 0;
      for (int i = 0; i < rows; i++) coef += W[(size_t)i * ld + c] * x[i];
      for (int i = 0; i < rows; i++) x[i] -= coef * W[(size_t)i * ld + c];
    }
  }
  f64 nrm = 0;
  for (int i = 0; i < rows; i++) nrm = hypotd(nrm, x[i]);
  for (int i = 0; i < rows; i++) W[(size_t)i * ld + cols] = x[i] / nrm;
}

/* A leaf: the dense N×(N+sqre) B through the QR iteration on Bᵀ (m = N+sqre ≥ n = N). */
static int dc_leaf(int N, int sqre, f64 *d, const f64 *e, f64 *U, f64 *W, int ld, f64 *mem) {
  const int m = N + sqre, n = N;
  f64 *B = mem, *s = B + m * n, *ev = s + n + 2, *work = ev + n + 1, *Ut = work + m + 1, *Vt = Ut + n * m;
  f64 *cs = Vt + n * n, *Vr = cs + 4 * n, *tau = Vr + n * n, *scratch = tau + 2 * n;
  f64 *logMem = scratch + qr_scratch_size(m, n), *x = logMem + log_scratch_size(n);
  for (int i = 0; i < m * n; i++) B[i] = 0;
  for (int j = 0; j < n; j++) {
    B[j * m + j] = d[j];
    if (j + 1 < m) B[j * m + j + 1] = e[j];
  }
  // Bᵀ = P·Σ·Qᵀ (P in Ut's rows, Q in Vt's), so B = Q·Σ·Pᵀ: U = Q, W = P. Descending → ascending.
  if (svd_columns(B, m, n, 3, s, ev, work, Ut, Vt, cs, cs + n, cs + 2 * n, cs + 3 * n, Vr, tau, scratch, logMem, 0)) return 1;
  for (int j = 0; j < n; j++) {
    const int c = n - 1 - j;
    d[c] = s[j];
    for (int i = 0; i < n; i++) U[(size_t)i * ld + c] = Vt[j * n + i];
    for (int i = 0; i < m; i++) W[(size_t)i * ld + c] = Ut[j * m + i];
  }
  if (sqre) null_complement(W, ld, m, n, x);
  return 0;
}

/*
 * Root i of f(σ) = 1 + Σ_j Z_j²/((P_j − σ)(P_j + σ)) for poles 0 = P_0 < … < P_{K−1}: σ_i lies in
 * (P_i, P_{i+1}), the last one in (P_{K−1}, √(P_{K−1}² + ‖Z‖²)]. The root is kept as an origin pole o
 * and an offset τ = σ − P_o, so that every P_j − σ = (P_j − P_o) − τ keeps its relative accuracy
 * (the point of Gu and Eisenstat's method). Each step fits f by a constant plus the two poles
 * around the root, the one at the origin exact (Li's "middle way", as dlasd4), inside a bracket
 * that falls back to bisection. Returns 0, or 1 without convergence.
 */
static int secular_steps; /* steps of the last secular_root call (dc_secular reports them) */

static int secular_root(int K, int i, const f64 *P, const f64 *Z, f64 zz, int *origin, f64 *tauOut, f64 *dif) {
  const int last = i == K - 1;
  int o;
  f64 lo, hi, tau;
  if (last) {
    o = i;
    lo = 0;
    hi = zz / (P[o] + __builtin_sqrt(P[o] * P[o] + zz));
    tau = hi;
  } else {
    const f64 mu = (P[i + 1] - P[i]) * (P[i] + P[i + 1]) / 2; // σ_mid² − P_i² = P_{i+1}² − σ_mid²
    const f64 smid = __builtin_sqrt(P[i] * P[i] + mu);
    const f64 tmid = mu / (smid + P[i]);
    f64 f = 1;
    for (int j = 0; j < K; j++) f += Z[j] * (Z[j] / (((P[j] - P[i]) - tmid) * (P[j] + P[i] + tmid)));
    if (f >= 0) { o = i; lo = 0; hi = tmid; tau = hi; }
    else { o = i + 1; hi = 0; lo = -mu / (P[i + 1] + smid); tau = lo; }
  }
  const int ia = last ? i - 1 : i, ib = last ? i : i + 1; // the two poles of the model
  const int keepA = !last && o == i;
  const f64 delsq = ia >= 0 ? (P[ib] - P[ia]) * (P[ib] + P[ia]) : 0;
  for (int j = 0; j < K; j++) dif[j] = P[j] - P[o];
  int fixedWeight = 0;
  f64 prevW = 0;
  for (int iter = 0;; iter++) {
    secular_steps = iter + 1;
    if (iter == 200) return 1;
    // ψ: the poles up to ia, φ: from ib on.
    f64 psi = 0, phi = 0, dpsi = 0, dphi = 0, err = 0, Da = 0, Db = 0;
    for (int j = 0; j < K; j++) {
      const f64 D = (dif[j] - tau) * (P[j] + P[o] + tau); // P_j² − σ²
      const f64 t = Z[j] / D, term = Z[j] * t;
      if (j <= ia) { psi += term; dpsi += t * t; } else { phi += term; dphi += t * t; }
      err += absd(term);
      if (j == ia) Da = D;
      if (j == ib) Db = D;
    }
    const f64 w = 1 + psi + phi, dw = dpsi + dphi;
    const f64 sigma = P[o] + tau, mu = tau * (P[o] + sigma);
    if (absd(w) <= EPS * (8 * (1 + err) + absd(mu) * dw)) break;
    if (w > 0) hi = tau; else lo = tau;
    if (hi - lo <= 4 * EPS * maxd(absd(lo), absd(hi))) break;
    // When |f| fell less than tenfold, the other model is used for the next steps (dlasd4's switch):
    // the middle way fits f with the origin's own term exact, the fixed-weight one ψ and φ separately.
    if (iter > 0 && w * prevW > 0 && absd(w) > absd(prevW) / 10) fixedWeight = !fixedWeight;
    prevW = w;
    // η: the change of σ² that zeroes the model C + S_a/(D_a − η) + S_b/(D_b − η), i.e.
    // C·η² − A·η + B = 0; of its roots, the one that keeps σ inside the bracket.
    f64 eta = -w / dw; // Newton, when the model gives nothing usable
    if (ia >= 0) {
      const f64 C = fixedWeight ? w - Da * dpsi - Db * dphi
                  : keepA ? w - Db * dw + delsq * (Z[ia] / Da) * (Z[ia] / Da) : w - Da * dw - delsq * (Z[ib] / Db) * (Z[ib] / Db);
      const f64 A = (Da + Db) * w - Da * Db * dw, B = Da * Db * w;
      f64 cand[2];
      int nc = 0;
      if (C == 0) {
        if (A != 0) cand[nc++] = B / A;
      } else {
        const f64 disc = A * A - 4 * B * C;
        if (disc >= 0) {
          const f64 q = (A + (A >= 0 ? __builtin_sqrt(disc) : -__builtin_sqrt(disc))) / 2;
          cand[nc++] = q / C;
          if (q != 0) cand[nc++] = B / q;
        }
      }
      f64 best = 0;
      int found = 0;
      for (int c = 0; c < nc; c++) {
        const f64 s2 = sigma * sigma + cand[c];
        if (!(s2 >= 0) || w * cand[c] >= 0) continue; // must move towards the root
        const f64 t = tau + cand[c] / (sigma + __builtin_sqrt(s2));
        if (t > lo && t < hi && (!found || absd(cand[c]) < absd(best))) { best = cand[c]; found = 1; }
      }
      if (found) eta = best;
    }
    const f64 s2 = sigma * sigma + eta;
    f64 next = s2 >= 0 ? tau + eta / (sigma + __builtin_sqrt(s2)) : lo - 1;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    tau = next;
  }
  *origin = o;
  *tauOut = tau;
  return 0;
}

/* Root i of the secular equation alone, for tests: out[0] = origin pole, out[1] = τ. Returns the
 * number of steps taken, or −1 without convergence. dif: K doubles. */
EXPORT(dc_secular)
int dc_secular(int K, int i, const f64 *P, const f64 *Z, f64 *out, f64 *dif) {
  f64 zz = 0;
  int o = 0;
  for (int j = 0; j < K; j++) zz += Z[j] * Z[j];
  if (secular_root(K, i, P, Z, zz, &o, out + 1, dif)) return -1;
  out[0] = o;
  return secular_steps;
}

/* Merges the two solved halves of a node split at row k (see above). d: the halves' singular values
 * at [0, k) and [k+1, N) on entry, the node's on return. */
static int dc_merge(int N, int sqre, int k, f64 alpha, f64 beta, f64 *d, f64 *U, f64 *W, int ld, struct Dc *w) {
  const int nr = N - k - 1, Nw = N + sqre;
  // The two null vectors, rotated so that only one meets row k.
  const f64 z0a = alpha * W[(size_t)k * ld + k], z0b = sqre ? beta * W[(size_t)(k + 1) * ld + N] : 0;
  const f64 r0 = hypotd(z0a, z0b);
  const f64 c0 = r0 != 0 ? z0a / r0 : 1, s0 = r0 != 0 ? z0b / r0 : 0;
  // The arrow in its original column order j: column 0, then B1's singular pairs, then B2's.
  f64 *dd = w->dd, *zz = w->zz;
  dd[0] = 0;
  zz[0] = r0;
  for (int j = 1; j <= k; j++) { dd[j] = d[j - 1]; zz[j] = alpha * W[(size_t)k * ld + (j - 1)]; }
  for (int j = k + 1; j < N; j++) { dd[j] = d[j]; zz[j] = beta * W[(size_t)(k + 1) * ld + j]; }
  f64 scale = maxd(absd(alpha), absd(beta));
  for (int j = 1; j < N; j++) scale = maxd(scale, dd[j]);
  const int zero = scale == 0; // B = 0: every singular value is 0, no perturbation below
  if (zero) scale = 1;
  // Sorted order (merging the halves' ascending lists), scaled to ≤ 1.
  int *perm = w->perm;
  perm[0] = 0;
  for (int a = 1, l = 1, r = k + 1; a < N; a++) perm[a] = (r >= N || (l <= k && dd[l] <= dd[r])) ? l++ : r++;
  f64 *p = w->p, *z = w->z;
  for (int a = 0; a < N; a++) { p[a] = dd[perm[a]] / scale; z[a] = zz[perm[a]] / scale; }
  // Deflation (dlasd2's tolerance).
  const f64 tol = 64 * EPS * maxd(1, maxd(p[N - 1], maxd(absd(alpha), absd(beta)) / scale));
  int *kind = w->kind, nrot = 0;
  if (z[0] <= tol && !zero) z[0] = tol; // z_0 = r0 ≥ 0; a tiny one is lifted, as dlasd2 does
  kind[0] = 0;
  for (int a = 1, lastKept = 0; a < N; a++) {
    kind[a] = 0;
    if (absd(z[a]) <= tol) { kind[a] = 1; continue; }
    if (lastKept >= 1 && p[a] - p[lastKept] <= tol) {
      // Nearly equal values: rotate the pair so that lastKept's z vanishes, and deflate it.
      const f64 r = hypotd(z[lastKept], z[a]);
      w->ra[nrot] = lastKept; w->rb[nrot] = a; w->rc[nrot] = z[a] / r; w->rs[nrot] = z[lastKept] / r;
      nrot++;
      z[a] = r;
      z[lastKept] = 0;
      kind[lastKept] = 1;
    }
    lastKept = a;
  }
  int K = 0;
  for (int a = 0; a < N; a++) if (!kind[a]) w->keep[K++] = a;
  f64 *P = w->pk, *Z = w->zk, sumZ2 = 0;
  for (int i = 0; i < K; i++) { P[i] = p[w->keep[i]]; Z[i] = z[w->keep[i]]; sumZ2 += Z[i] * Z[i]; }
  // Keeps every P_j − P_0 representable with full relative accuracy.
  if (K > 1 && P[1] < tol / 2) P[1] = tol / 2;
  // Secular roots, Löwner's z, then each root's vectors in the kept coordinates.
  f64 *tau = w->tau, *zhat = w->zhat;
  int *origin = w->origin;
  if (K == 1) { origin[0] = 0; tau[0] = absd(Z[0]); }
  else for (int i = 0; i < K; i++) if (secular_root(K, i, P, Z, sumZ2, origin + i, tau + i, w->xu)) return 1;
#define DIFF(j, i) ((P[j] - P[origin[i]]) - tau[i]) /* P_j − σ_i */
#define SUMS(j, i) (P[j] + P[origin[i]] + tau[i])  /* P_j + σ_i */
  for (int j = 0; j < K; j++) {
    f64 prod = DIFF(j, K - 1) * SUMS(j, K - 1);
    for (int i = 0; i < j; i++) prod *= (DIFF(j, i) * SUMS(j, i)) / ((P[j] - P[i]) * (P[j] + P[i]));
    for (int i = j; i < K - 1; i++) prod *= (DIFF(j, i) * SUMS(j, i)) / ((P[j] - P[i + 1]) * (P[j] + P[i + 1]));
    const f64 mag = __builtin_sqrt(absd(prod));
    zhat[j] = Z[j] < 0 ? -mag : mag;
  }
  // Output order: the K roots and the deflated values, ascending.
  f64 *val = w->val;
  int *order = w->order; // ≥ 0: root index; < 0: −1 − (deflated sorted index)
  {
    int i = 0, a = 0, c = 0;
    while (c < N) {
      while (a < N && !kind[a]) a++;
      const f64 root = i < K ? P[origin[i]] + tau[i] : 0;
      if (i < K && (a >= N || root <= p[a])) { order[c] = i; val[c] = root; i++; }
      else { order[c] = -1 - a; val[c] = p[a]; a++; }
      c++;
    }
  }
  // Ũ (rows: e_k, U1's columns, U2's) and Ṽ (rows: W1's columns incl. its null vector, W2's).
  f64 *ut = w->ut, *vt = w->vt, *xu = w->xu, *xv = w->xv;
  for (size_t i = 0; i < (size_t)N * N; i++) ut[i] = 0;
  for (size_t i = 0; i < (size_t)Nw * Nw; i++) vt[i] = 0;
  for (int c = 0; c < N; c++) {
    for (int a = 0; a < N; a++) xu[a] = xv[a] = 0;
    if (order[c] >= 0 && K == 1) {
      xu[w->keep[0]] = xv[w->keep[0]] = 1; // the 1×1 arrow [z_0], z_0 ≥ 0
    } else if (order[c] >= 0) {
      const int i = order[c];
      f64 nu = 0, nv = 0;
      for (int j = 0; j < K; j++) {
        const f64 v = zhat[j] / (DIFF(j, i) * SUMS(j, i));
        const f64 u = j == 0 ? -1 : P[j] * v;
        xv[w->keep[j]] = v;
        xu[w->keep[j]] = u;
        nv = hypotd(nv, v);
        nu = hypotd(nu, u);
      }
      for (int j = 0; j < K; j++) { xv[w->keep[j]] /= nv; xu[w->keep[j]] /= nu; }
    } else {
      const int a = -1 - order[c];
      xu[a] = xv[a] = 1;
    }
    // Back from the deflation-rotated basis to the arrow's own.
    for (int r = nrot - 1; r >= 0; r--) {
      const int a1 = w->ra[r], a2 = w->rb[r];
      const f64 cr = w->rc[r], sr = w->rs[r];
      f64 x1 = xu[a1], x2 = xu[a2];
      xu[a1] = cr * x1 + sr * x2; xu[a2] = -sr * x1 + cr * x2;
      x1 = xv[a1]; x2 = xv[a2];
      xv[a1] = cr * x1 + sr * x2; xv[a2] = -sr * x1 + cr * x2;
    }
    for (int a = 0; a < N; a++) {
      const int j = perm[a];
      ut[(size_t)j * N + c] = xu[a];
      if (j == 0) {
        vt[(size_t)k * Nw + c] = c0 * xv[a];
        if (sqre) vt[(size_t)N * Nw + c] = s0 * xv[a];
      } else {
        vt[(size_t)(j <= k ? j - 1 : j) * Nw + c] = xv[a];
      }
    }
  }
#undef DIFF
#undef SUMS
  if (sqre) { vt[(size_t)k * Nw + N] = -s0; vt[(size_t)N * Nw + N] = c0; }
  // U ← Q_L·Ũ and W ← Q_R·Ṽ, block by block (Q_L, Q_R are block diagonal).
  f64 *t = w->t;
  for (size_t i = 0; i < (size_t)N * N; i++) t[i] = 0;
  gemm_acc(k, k, N, 1, U, ld, 0, ut + N, N, t, N, w->packA, w->packB);
  for (int c = 0; c < N; c++) t[(size_t)k * N + c] = ut[c];
  gemm_acc(nr, nr, N, 1, U + (size_t)(k + 1) * ld + k + 1, ld, 0, ut + (size_t)(k + 1) * N, N, t + (size_t)(k + 1) * N, N, w->packA, w->packB);
  for (int i = 0; i < N; i++) for (int c = 0; c < N; c++) U[(size_t)i * ld + c] = t[(size_t)i * N + c];
  for (size_t i = 0; i < (size_t)Nw * Nw; i++) t[i] = 0;
  gemm_acc(k + 1, k + 1, Nw, 1, W, ld, 0, vt, Nw, t, Nw, w->packA, w->packB);
  gemm_acc(nr + sqre, nr + sqre, Nw, 1, W + (size_t)(k + 1) * ld + k + 1, ld, 0, vt + (size_t)(k + 1) * Nw, Nw, t + (size_t)(k + 1) * Nw, Nw,
           w->packA, w->packB);
  for (int i = 0; i < Nw; i++) for (int c = 0; c < Nw; c++) W[(size_t)i * ld + c] = t[(size_t)i * Nw + c];
  for (int c = 0; c < N; c++) d[c] = val[c] * scale;
  return 0;
}

static int dc_node(int N, int sqre, f64 *d, f64 *e, f64 *U, f64 *W, int ld, struct Dc *w) {
  if (N <= DC_LEAF) return dc_leaf(N, sqre, d, e, U, W, ld, w->leaf);
  const int k = N / 2;
  const f64 alpha = d[k], beta = e[k];
  if (dc_node(k, 1, d, e, U, W, ld, w)) return 1;
  if (dc_node(N - k - 1, sqre, d + k + 1, e + k + 1, U + (size_t)(k + 1) * ld + k + 1, W + (size_t)(k + 1) * ld + k + 1, ld, w)) return 1;
  return dc_merge(N, sqre, k, alpha, beta, d, U, W, ld, w);
}

/*
 * The n×n bidiagonal (s, e) by divide and conquer: on success s holds the singular values in
 * decreasing order and Ut, Vt the column stores (row j = column j; Ut's rows m long, zero past n) of
 * its singular vectors, ready for the reflectors of the bidiagonalisation. On failure (a secular
 * root did not converge) returns 1 with s and e untouched.
 */
static int dc_fallbacks = 0;

/* How many times divide and conquer gave up and the QR iteration took over (tests expect 0). */
EXPORT(dc_fallback_count)
int dc_fallback_count(void) { return dc_fallbacks; }

static int bidiagonal_dc(int n, int m, f64 *s, const f64 *e, f64 *Ut, f64 *Vt, f64 *mem) {
  struct Dc w = dc_carve(mem, n);
  for (int i = 0; i < n; i++) { w.ds[i] = s[i]; w.de[i] = i + 1 < n ? e[i] : 0; }
  // U_B and V_B, row-major n×n, in the first n² entries of Ut and Vt.
  if (dc_node(n, 0, w.ds, w.de, Ut, Vt, n, &w)) {
    dc_fallbacks++;
    return 1;
  }
  f64 *t = w.t;
  for (size_t i = 0; i < (size_t)n * n; i++) t[i] = Ut[i];
  for (int j = 0; j < n; j++) {
    f64 *row = Ut + (size_t)j * m;
    for (int i = 0; i < n; i++) row[i] = t[(size_t)i * n + (n - 1 - j)];
    for (int i = n; i < m; i++) row[i] = 0;
  }
  for (size_t i = 0; i < (size_t)n * n; i++) t[i] = Vt[i];
  for (int j = 0; j < n; j++)
    for (int i = 0; i < n; i++) Vt[(size_t)j * n + i] = t[(size_t)i * n + (n - 1 - j)];
  for (int j = 0; j < n; j++) s[j] = w.ds[n - 1 - j];
  return 0;
}

/* ------------------------------------------------------------------------------------------ */
/*
 * Golub–Kahan–Reinsch SVD of an m×n matrix, m ≥ n, given as a column store At (row j = column j;
 * overwritten). s: min(m+1, n)+1 doubles, e: n+1, work: m, cs/sn scratch: 4 arrays of n. want is a
 * bit set: 1 computes V into Vt (n×n), 2 computes U into Ut (n×m), both as column stores (row j =
 * column j); either needs Vr: n·n, tau: 2n and logMem: log_scratch_size(n). scratch:
 * qr_scratch_size(m, n) doubles, always.
 * Returns 0, or 1 when the QR iteration did not converge.
 */
EXPORT(svd_columns)
int svd_columns(f64 *At, int m, int n, int want, f64 *s, f64 *e, f64 *work, f64 *Ut, f64 *Vt,
                f64 *csV, f64 *snV, f64 *csU, f64 *snU, f64 *Vr, f64 *tau, f64 *scratch, f64 *logMem, f64 *dcMem) {
  const int wantV = want & 1, wantU = want & 2;
  const int nu = n;
  int nct = m - 1 < n ? m - 1 : n;
  int nrt = n - 2 < m ? n - 2 : m;
  if (nrt < 0) nrt = 0;
  int kmax = nct > nrt ? nct : nrt;
  /*
   * LINPACK's bidiagonalisation sweeps the trailing matrix three times per step: the left reflector
   * (a dot and an axpy per column), the product w = A·e for the right reflector, and the update
   * A_j += t_j·w. Here the three are fused into one sweep per step, column by column while the column
   * is in cache: step k first applies step k−1's pending right update to column j, then its own left
   * reflector, then adds e_j·A_j into the next w. The right reflector's normalisation (e/‖e‖, +1 on
   * its first entry) is only known after the sweep, so w is accumulated from the raw e_j and fixed
   * afterwards: w = Σ_j e_j·A_j / ν + A_{k+1}. Same arithmetic as LINPACK up to rounding order.
   */
  f64 *wraw = scratch;     // m: Σ_j e_j·A_j of the current step
  f64 *tcoef = csV;        // n: −e_j/e_{k+1} of the pending right update (csV is free until the QR sweeps)
  int pending = 0;         // step k−1 left A_j += tcoef_j·work over rows k..m−1 for columns j ≥ k
  for (int k = 0; k < kmax; k++) {
    f64 *ck = At + (size_t)k * m;
    if (pending) axpy(ck + k, tcoef[k], work + k, m - k);
    if (k < nct) {
      f64 nrm = 0;
      for (int i = k; i < m; i++) nrm = hypotd(nrm, ck[i]);
      if (nrm < MIN_NORMAL) nrm = 0; // see MIN_NORMAL
      if (nrm != 0) {
        if (ck[k] < 0) nrm = -nrm;
        f64 inv = 1 / nrm;
        for (int i = k; i < m; i++) ck[i] *= inv;
        ck[k] += 1;
      }
      s[k] = -nrm;
    }
    const int right = k < nrt && k + 1 < m;
    if (right) for (int i = k + 1; i < m; i++) wraw[i] = 0;
    const int left = k < nct && s[k] != 0;
    for (int j = k + 1; j < n; j++) {
      f64 *cj = At + (size_t)j * m;
      if (pending && tcoef[j] != 0) axpy(cj + k, tcoef[j], work + k, m - k);
      if (left) {
        f64 t = -dot(ck + k, cj + k, m - k) / ck[k];
        axpy(cj + k, t, ck + k, m - k);
      }
      e[j] = cj[k];
      if (right && e[j] != 0) axpy(wraw + k + 1, e[j], cj + k + 1, m - k - 1);
    }
    pending = 0;
    if (k < nrt) {
      f64 nrm = 0;
      for (int i = k + 1; i < n; i++) nrm = hypotd(nrm, e[i]);
      if (nrm < MIN_NORMAL) nrm = 0;
      if (nrm != 0) {
        if (e[k + 1] < 0) nrm = -nrm;
        f64 inv = 1 / nrm;
        for (int i = k + 1; i < n; i++) e[i] *= inv;
        e[k + 1] += 1;
      }
      e[k] = -nrm;
      if (right && nrm != 0) {
        const f64 *c1 = At + (size_t)(k + 1) * m;
        f64 inv = 1 / nrm;
        for (int i = k + 1; i < m; i++) work[i] = wraw[i] * inv + c1[i];
        for (int j = k + 1; j < n; j++) tcoef[j] = -e[j] / e[k + 1];
        pending = 1;
      }
      if (wantV) {
        f64 *vk = Vt + (size_t)k * n;
        for (int i = k + 1; i < n; i++) vk[i] = e[i];
      }
    }
  }
  if (pending) {
    // No step is left to carry the last right update: apply it to the remaining columns.
    for (int j = kmax; j < n; j++) axpy(At + (size_t)j * m + kmax, tcoef[j], work + kmax, m - kmax);
  }

  int p = n < m + 1 ? n : m + 1;
  if (nct < n) s[nct] = At[(size_t)nct * m + nct];
  if (m < p) s[p - 1] = 0;
  if (nrt + 1 < p) e[nrt] = At[(size_t)(p - 1) * m + nrt];
  e[p - 1] = 0;

  /*
   * U = H_0·…·H_{nct−1}·[I; 0] and V = G_0·…·G_{nrt−1}, accumulated one block of reflectors at a
   * time (compact WY) rather than one reflector at a time as LINPACK does. Reflector k of U is
   * column k of At from entry k on (LINPACK's H = I − u·uᵀ/u_k, i.e. v = u/u_k, τ = u_k; H = I when
   * s_k = 0); reflector k of V is row k of Vt from entry k+1 on, acting on coordinates ≥ k+1.
   */
  if (wantU) {
    for (int k = 0; k < nct; k++) {
      f64 *uk = At + (size_t)k * m;
      if (s[k] != 0) {
        f64 inv = 1 / uk[k];
        tau[k] = uk[k];
        for (int i = k + 1; i < m; i++) uk[i] *= inv;
      } else {
        tau[k] = 0;
      }
    }
  }
  // V's reflectors, shifted by one coordinate: row k of Vr holds v_k over coordinates 1..n−1.
  f64 *tauV = tau + n;
  const int n1 = n - 1;
  if (wantV) {
    for (int k = 0; k < nrt; k++) {
      const f64 *vk = Vt + (size_t)k * n;
      f64 *r = Vr + (size_t)k * n1;
      if (e[k] != 0) {
        f64 inv = 1 / vk[k + 1];
        tauV[k] = vk[k + 1];
        for (int i = k + 2; i < n; i++) r[i - 1] = vk[i] * inv;
      } else {
        tauV[k] = 0;
        for (int i = k + 2; i < n; i++) r[i - 1] = 0; // form_wy reads the row even when τ = 0
      }
    }
  }
  // Large problems: the bidiagonal's vectors by divide and conquer, then U = H·[U_B; 0], V = G·V_B.
  const int dc = wantU && wantV && dcMem && n >= DC_MIN && bidiagonal_dc(n, m, s, e, Ut, Vt, dcMem) == 0;
  if (wantU) {
    if (!dc) {
      for (size_t i = 0; i < (size_t)nu * m; i++) Ut[i] = 0;
      for (int j = 0; j < nu; j++) Ut[(size_t)j * m + j] = 1;
    }
    apply_q_ld(At, m, m, nct, tau, Ut, m, nu, scratch);
  }
  if (wantV && dc) {
    if (n1 > 0) apply_q_ld(Vr, n1, n1, nrt, tauV, Vt + 1, n, n, scratch);
  } else if (wantV) {
    for (size_t i = 0; i < (size_t)n * n; i++) Vt[i] = 0;
    for (int j = 0; j < n; j++) Vt[(size_t)j * n + j] = 1;
    if (n1 > 0) apply_q_ld(Vr, n1, n1, nrt, tauV, Vt + n + 1, n, n1, scratch);
  }
  if (dc) return 0;

  /* U and V stay column stores: a rotation of columns j and j+1 of U is a rotation of two rows.
   * Their updates are logged and replayed in batches (see struct Log). */
  const struct Log none = {0};
  struct Log logV = wantV ? log_init(Vt, n, n, logMem) : none;
  struct Log logU = wantU ? log_init(Ut, m, nu, logMem + log_scratch_size(n) / 2) : none;
  const int pp = p - 1;
  int iter = 0;
  const int maxIter = 75 * (n > 10 ? n : 10);
  while (p > 0) {
    int k, kase;
    for (k = p - 2; k >= -1; k--) {
      if (k == -1) break;
      if (absd(e[k]) <= TINY + EPS * (absd(s[k]) + absd(s[k + 1]))) {
        e[k] = 0;
        break;
      }
    }
    if (k == p - 2) {
      kase = 4;
    } else {
      int ks;
      for (ks = p - 1; ks >= k; ks--) {
        if (ks == k) break;
        f64 t = (ks != p ? absd(e[ks]) : 0) + (ks != k + 1 ? absd(e[ks - 1]) : 0);
        if (absd(s[ks]) <= TINY + EPS * t) {
          s[ks] = 0;
          break;
        }
      }
      if (ks == k) kase = 3;
      else if (ks == p - 1) kase = 1;
      else {
        kase = 2;
        k = ks;
      }
    }
    k++;

    if (kase == 1) {
      f64 f = e[p - 2];
      e[p - 2] = 0;
      for (int j = p - 2; j >= k; j--) {
        f64 t = hypotd(s[j], f);
        f64 cs = s[j] / t, sn = f / t;
        s[j] = t;
        if (j != k) {
          f = -sn * e[j - 1];
          e[j - 1] = cs * e[j - 1];
        }
        if (wantV) log_rot(&logV, j, p - 1, cs, sn);
      }
    } else if (kase == 2) {
      f64 f = e[k - 1];
      e[k - 1] = 0;
      for (int j = k; j < p; j++) {
        f64 t = hypotd(s[j], f);
        f64 cs = s[j] / t, sn = f / t;
        s[j] = t;
        f = -sn * e[j];
        e[j] = cs * e[j];
        if (wantU) log_rot(&logU, j, k - 1, cs, sn);
      }
    } else if (kase == 3) {
      f64 sc = maxd(maxd(maxd(absd(s[p - 1]), absd(s[p - 2])), maxd(absd(e[p - 2]), absd(s[k]))), absd(e[k]));
      f64 sp = s[p - 1] / sc, spm1 = s[p - 2] / sc, epm1 = e[p - 2] / sc, sk = s[k] / sc, ek = e[k] / sc;
      f64 b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
      f64 c = sp * epm1 * (sp * epm1);
      f64 shift = 0;
      if (b != 0 || c != 0) {
        shift = __builtin_sqrt(b * b + c);
        if (b < 0) shift = -shift;
        shift = c / (b + shift);
      }
      f64 f = (sk + sp) * (sk - sp) + shift;
      f64 g = sk * ek;
      for (int j = k; j < p - 1; j++) {
        f64 t = hypotd(f, g);
        f64 cs = f / t, sn = g / t;
        if (j != k) e[j - 1] = t;
        f = cs * s[j] + sn * e[j];
        e[j] = cs * e[j] - sn * s[j];
        g = sn * s[j + 1];
        s[j + 1] = cs * s[j + 1];
        csV[j] = cs;
        snV[j] = sn;
        t = hypotd(f, g);
        cs = f / t;
        sn = g / t;
        s[j] = t;
        f = cs * e[j] + sn * s[j + 1];
        s[j + 1] = -sn * e[j] + cs * s[j + 1];
        g = sn * e[j + 1];
        e[j + 1] = cs * e[j + 1];
        csU[j] = cs;
        snU[j] = sn;
      }
      e[p - 2] = f;
      if (wantV) log_chain(&logV, k, p - 1, csV, snV);
      if (wantU) log_chain(&logU, k, p - 1, csU, snU);
      iter++;
      if (iter > maxIter) {
        if (wantV) log_finish(&logV);
        if (wantU) log_finish(&logU);
        return 1;
      }
    } else {
      if (s[k] <= 0) {
        s[k] = s[k] < 0 ? -s[k] : 0;
        if (wantV) log_negate(&logV, k); /* the whole row: pp = n − 1 as m ≥ n */
      }
      while (k < pp) {
        if (s[k] >= s[k + 1]) break;
        f64 t = s[k];
        s[k] = s[k + 1];
        s[k + 1] = t;
        if (wantV && k < n - 1) log_swap(&logV, k, k + 1);
        if (wantU && k < m - 1) log_swap(&logU, k, k + 1);
        k++;
      }
      iter = 0;
      p--;
    }
  }
  if (wantV) log_finish(&logV);
  if (wantU) log_finish(&logU);
  return 0;
}


/* ------------------------------------------------------------------------------------------ */
/*
 * Runs kernels a few times on a small deterministic problem (160×96), so that V8 compiles them with
 * its optimising tier before the first real call: WebAssembly functions are tiered up only between
 * calls, and a first large SVD would otherwise run start to finish in the baseline code, ~2× slower.
 * `what` says which, so that a process compiles only what it uses (the optimising compile of the
 * whole module costs ~0.15 s of CPU here, a fifth of a small CLI run): WARM_PRODUCTS (dgemm,
 * sgemm_f64, inverse_cholesky: kernels.ts, on loading), WARM_VALUES (singular values only) and
 * WARM_VECTORS (QR, singular vectors, divide and conquer: svd.ts, before its first call of each).
 * mem: warm_up_size() doubles.
 */
#define WARM_M 160
#define WARM_N 96
#define WARM_PRODUCTS 1
#define WARM_VALUES 2
#define WARM_VECTORS 4
EXPORT(warm_up_size)
int warm_up_size(void) {
  return 3 * WARM_M * WARM_N + 3 * WARM_N * WARM_N + 16 * WARM_N + qr_scratch_size(WARM_M, WARM_N) + log_scratch_size(WARM_N) + dc_scratch_size(WARM_N);
}

static void warm_fill(f64 *a, int count, unsigned x) {
  for (int i = 0; i < count; i++) {
    x = x * 1103515245u + 12345u;
    a[i] = (f64)((x >> 8) & 0xffff) / 65536.0 - 0.5;
  }
}

EXPORT(warm_up)
void warm_up(f64 *mem, int what) {
  const int m = WARM_M, n = WARM_N;
  f64 *a = mem, *u = a + m * n, *c = u + m * n, *r = c + m * n, *vt = r + n * n, *vr = vt + n * n;
  f64 *vec = vr + n * n, *scratch = vec + 16 * n, *logMem = scratch + qr_scratch_size(m, n);
  for (int round = 0; round < 3; round++) {
    if (what & WARM_VECTORS) {
      warm_fill(a, m * n, 12345u + (unsigned)round);
      householder_qr(a, m, n, vec, scratch);
      for (int i = 0; i < m * n; i++) u[i] = 0;
      for (int j = 0; j < n; j++) u[j * m + j] = 1;
      apply_q(a, m, n, vec, u, n, scratch);
      for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) r[j * n + i] = i <= j ? a[j * m + i] : 0;
      svd_columns(r, n, n, 3, vec + n, vec + 3 * n, vec + 5 * n, c, vt, vec + 7 * n, vec + 8 * n, vec + 9 * n, vec + 10 * n,
                  vr, vec + 11 * n, scratch, logMem, logMem + log_scratch_size(n));
    }
    if (what & WARM_VALUES) {
      warm_fill(r, n * n, 777u + (unsigned)round);
      svd_columns(r, n, n, 0, vec + n, vec + 3 * n, vec + 5 * n, c, vt, vec + 7 * n, vec + 8 * n, vec + 9 * n, vec + 10 * n,
                  vr, vec + 11 * n, scratch, logMem, 0);
    }
    if (what & WARM_PRODUCTS) {
      warm_fill(a, m * n, 99u + (unsigned)round);
      warm_fill(u, m * n, 199u + (unsigned)round);
      dgemm(u, a, c, n, m, n, scratch, scratch + PACK_A_SIZE);
      float *fa = (float *)c; /* c's m·n doubles hold the two m·n float32 operands */
      for (int i = 0; i < 2 * m * n; i++) fa[i] = (float)a[i % (m * n)];
      sgemm_f64(fa, fa + m * n, u, n, m, n, scratch, scratch + PACK_A_SIZE);
      for (int i = 0; i < n * n; i++) r[i] = (i % (n + 1)) == 0 ? 2 : 1.0 / (n + (i % 7)); /* diagonally dominant, SPD */
      for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) r[j * n + i] = r[i * n + j];
      inverse_cholesky(r, n, vt, vr);
    }
  }
}
