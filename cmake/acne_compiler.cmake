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
  # Options structs are filled with designated initializers that leave the rest at their defaults,
  # which GCC 12's -Wmissing-field-initializers reports field by field.
  set(ACNE_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
endif()
# Release builds keep assertions off but still optimise for the host: BLAS does the heavy lifting,
# the im2col and elementwise loops benefit from vectorisation.
if(NOT CMAKE_CXX_FLAGS_RELEASE MATCHES "-march")
  set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG")
endif()

# One program per <dir>/<name>.cpp, linked with everything a program of this project may use.
function(acne_add_programs dir)
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  foreach(src IN LISTS sources)
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_link_libraries(${name} PRIVATE acne::image)
    target_compile_options(${name} PRIVATE ${ACNE_WARNINGS})
    # Every program links the image libraries, and OpenCV's codecs alone load GDAL, Poppler and
    # HDF5, 53 MiB of resident memory at start: a program records only the libraries it calls.
    target_link_options(${name} PRIVATE LINKER:--as-needed)
    if(ACNE_CUDA_ENABLED)
      target_link_libraries(${name} PRIVATE acne::cuda)
    endif()
    acne_use_instances(${name})
    if(ARGN)
      install(TARGETS ${name} RUNTIME DESTINATION ${ARGN})
    endif()
  endforeach()
endfunction()
