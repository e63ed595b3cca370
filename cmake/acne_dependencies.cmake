# Every dependency comes from a Debian package; tools/deps.sh installs them all.
macro(acne_require_package pkg debian)
  if(NOT ${pkg}_FOUND)
    message(FATAL_ERROR "acne needs ${pkg}: install the Debian package '${debian}' "
                        "(or run tools/deps.sh, which installs every dependency)")
  endif()
endmacro()

find_package(Threads REQUIRED)
find_package(OpenMP)
find_package(xtl CONFIG QUIET)
acne_require_package(xtl xtl-dev)
find_package(xtensor CONFIG QUIET)
acne_require_package(xtensor xtensor-dev)
find_package(xtensor-blas CONFIG QUIET)
acne_require_package(xtensor-blas libxtensor-blas-dev)
find_package(nlohmann_json CONFIG QUIET)
acne_require_package(nlohmann_json nlohmann-json3-dev)

set(BLA_VENDOR OpenBLAS)
find_package(BLAS QUIET)
acne_require_package(BLAS libopenblas-dev)
find_package(LAPACK QUIET)
acne_require_package(LAPACK liblapack-dev)
set(ACNE_BLAS_TARGETS ${BLAS_LIBRARIES} ${LAPACK_LIBRARIES})

# oneDNN runs the float convolutions and products on kernels chosen by the CPU's instruction set.
# Optional: without it the portable im2col + OpenBLAS path runs alone. Found by its header and
# library: Debian's dnnl-config.cmake also demands the OpenCL development files, which the CPU
# engine never uses.
find_path(ACNE_ONEDNN_INCLUDE oneapi/dnnl/dnnl.h)
find_library(ACNE_ONEDNN_LIBRARY dnnl)
if(ACNE_ONEDNN_INCLUDE AND ACNE_ONEDNN_LIBRARY)
  set(ACNE_WITH_ONEDNN ON)
  message(STATUS "acne: oneDNN (${ACNE_ONEDNN_LIBRARY}) runs the CPU convolutions and float products")
else()
  set(ACNE_WITH_ONEDNN OFF)
  message(STATUS "acne: oneDNN not found (Debian libdnnl-dev): CPU convolutions and products run on "
                 "im2col + OpenBLAS, whose 0.3.21 kernels fall back to generic SSE3 code on CPUs it does "
                 "not know (several times slower); tools/deps.sh installs it")
endif()

find_package(OpenCV QUIET COMPONENTS core imgproc imgcodecs)
acne_require_package(OpenCV libopencv-dev)
set(ACNE_OPENCV_LIBS ${OpenCV_LIBS})

# dlib finds faces and their 68 landmarks (acne/face/). Found by header and library: Debian's
# dlib::dlib target puts /usr/include on the -isystem path, which breaks libstdc++'s #include_next.
find_path(ACNE_DLIB_INCLUDE dlib/image_processing/frontal_face_detector.h)
find_library(ACNE_DLIB_LIBRARY dlib)
if(ACNE_DLIB_INCLUDE AND ACNE_DLIB_LIBRARY)
  set(dlib_FOUND TRUE)
endif()
acne_require_package(dlib libdlib-dev)

if(ACNE_BUILD_TESTS)
  find_package(Boost QUIET COMPONENTS unit_test_framework)
  acne_require_package(Boost libboost-test-dev)
endif()
