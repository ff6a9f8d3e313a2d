#include "index/vector_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace askio::index::kernels {
namespace {

// Four independent accumulators: the adds do not wait on each other.
[[maybe_unused]] float DotGeneric(const float* a, const float* b, size_t n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

[[maybe_unused]] float DotU8Generic(const float* w, const uint8_t* c, size_t n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += w[i] * static_cast<float>(c[i]);
    s1 += w[i + 1] * static_cast<float>(c[i + 1]);
    s2 += w[i + 2] * static_cast<float>(c[i + 2]);
    s3 += w[i + 3] * static_cast<float>(c[i + 3]);
  }
  for (; i < n; ++i) s0 += w[i] * static_cast<float>(c[i]);
  return (s0 + s1) + (s2 + s3);
}

[[maybe_unused]] void DecodeU8Generic(const uint8_t* c, const float* scale, const float* offset,
                                      float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = offset[i] + scale[i] * static_cast<float>(c[i]);
}

#if defined(__x86_64__)

float DotSse2(const float* a, const float* b, size_t n) {
  __m128 s0 = _mm_setzero_ps(), s1 = _mm_setzero_ps(), s2 = _mm_setzero_ps(), s3 = _mm_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm_add_ps(s0, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
    s1 = _mm_add_ps(s1, _mm_mul_ps(_mm_loadu_ps(a + i + 4), _mm_loadu_ps(b + i + 4)));
    s2 = _mm_add_ps(s2, _mm_mul_ps(_mm_loadu_ps(a + i + 8), _mm_loadu_ps(b + i + 8)));
    s3 = _mm_add_ps(s3, _mm_mul_ps(_mm_loadu_ps(a + i + 12), _mm_loadu_ps(b + i + 12)));
  }
  for (; i + 4 <= n; i += 4)
    s0 = _mm_add_ps(s0, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
  __m128 s = _mm_add_ps(_mm_add_ps(s0, s1), _mm_add_ps(s2, s3));
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, s);
  float r = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; ++i) r += a[i] * b[i];
  return r;
}

__attribute__((target("avx2,fma"))) float HorizontalSum(__m256 v) {
  const __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  __m128 s = _mm_add_ps(lo, hi);
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) float DotAvx2(const float* a, const float* b, size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(),
         s3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8)
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  float r = HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; ++i) r += a[i] * b[i];
  return r;
}

__attribute__((target("avx2,fma"))) float DotU8Avx2(const float* w, const uint8_t* c, size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c + i));
    const __m256 lo = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
    const __m256 hi = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(bytes, 8)));
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), lo, s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), hi, s1);
  }
  for (; i + 8 <= n; i += 8) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(c + i));
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes)),
                         s0);
  }
  float r = HorizontalSum(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) r += w[i] * static_cast<float>(c[i]);
  return r;
}

__attribute__((target("avx2,fma"))) void DecodeU8Avx2(const uint8_t* c, const float* scale,
                                                      const float* offset, float* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(c + i));
    const __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
    _mm256_storeu_ps(out + i,
                     _mm256_fmadd_ps(_mm256_loadu_ps(scale + i), v, _mm256_loadu_ps(offset + i)));
  }
  for (; i < n; ++i) out[i] = offset[i] + scale[i] * static_cast<float>(c[i]);
}

bool HasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const bool kAvx2 = HasAvx2();

#endif

}  // namespace

float Dot(const float* a, const float* b, size_t n) {
#if defined(__x86_64__)
  return kAvx2 ? DotAvx2(a, b, n) : DotSse2(a, b, n);
#else
  return DotGeneric(a, b, n);
#endif
}

float DotU8(const float* w, const uint8_t* c, size_t n) {
#if defined(__x86_64__)
  return kAvx2 ? DotU8Avx2(w, c, n) : DotU8Generic(w, c, n);
#else
  return DotU8Generic(w, c, n);
#endif
}

void DecodeU8(const uint8_t* c, const float* scale, const float* offset, float* out, size_t n) {
#if defined(__x86_64__)
  if (kAvx2) return DecodeU8Avx2(c, scale, offset, out, n);
#endif
  DecodeU8Generic(c, scale, offset, out, n);
}

const char* Isa() {
#if defined(__x86_64__)
  return kAvx2 ? "avx2+fma" : "sse2";
#else
  return "generic";
#endif
}

}  // namespace askio::index::kernels
