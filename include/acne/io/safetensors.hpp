#pragma once
// safetensors files (https://github.com/huggingface/safetensors), independent of the tensor class.
// Layout: u64 little-endian header length N, N bytes of JSON padded with spaces, then the raw
// little-endian data. Loading treats the file as hostile and accepts what the reference Rust reader
// accepts: data_offsets must tile the data area exactly, shapes must match their byte ranges.
// The pieces live under acne/io/safetensors/: dtype, floating (F16/BF16), record (one tensor),
// file (tensors + metadata), header (parsing), read, write, check (against a model's tensors).
#include "acne/io/safetensors/check.hpp"
#include "acne/io/safetensors/dtype.hpp"
#include "acne/io/safetensors/file.hpp"
#include "acne/io/safetensors/floating.hpp"
#include "acne/io/safetensors/header.hpp"
#include "acne/io/safetensors/read.hpp"
#include "acne/io/safetensors/record.hpp"
#include "acne/io/safetensors/write.hpp"
