# Compiler settings shared by every target of this project (not exported to consumers).
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

find_program(ACNE_CCACHE ccache)
if(ACNE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${ACNE_CCACHE})
  set(CMAKE_CUDA_COMPILER_LAUNCHER ${ACNE_CCACHE})
endif()

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  set(ACNE_WARNINGS -Wall -Wextra -Wno-unused-parameter)
endif()
# Release builds keep assertions off but still optimise for the host: BLAS does the heavy lifting,
# the im2col and elementwise loops benefit from vectorisation.
if(NOT CMAKE_CXX_FLAGS_RELEASE MATCHES "-march")
  set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG")
endif()
