// The distance kernels of the vector index. Debian's FAISS is built for the
// x86-64 baseline, and its fvec_inner_product is a scalar loop with one
// dependent add per element (about 1,500 cycles for 384 dimensions); these
// use AVX2+FMA when the CPU has it (chosen once at run time), else SSE2.
#pragma once

#include <cstddef>
#include <cstdint>

namespace askio::index::kernels {

// sum a[i] * b[i]
float Dot(const float* a, const float* b, size_t n);
// sum w[i] * c[i], the codes widened to float (8-bit scalar quantisation).
float DotU8(const float* w, const uint8_t* c, size_t n);
// out[i] = offset[i] + scale[i] * c[i] (decoding 8-bit scalar-quantised codes).
void DecodeU8(const uint8_t* c, const float* scale, const float* offset, float* out, size_t n);
// The instruction set in use: "avx2+fma" or "sse2" (or "generic" off x86).
const char* Isa();

}  // namespace askio::index::kernels
