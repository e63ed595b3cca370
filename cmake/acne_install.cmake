include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/acne DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(acne_targets acne acne_image acne_face)
if(ACNE_CUDA_ENABLED)
  list(APPEND acne_targets acne_cuda)
endif()
install(TARGETS ${acne_targets} EXPORT acneTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT acneTargets NAMESPACE acne:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/acne)
configure_package_config_file(cmake/acneConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/acneConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/acne)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/acneConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/acneConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/acneConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/acne)
