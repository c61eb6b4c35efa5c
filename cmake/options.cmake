# Project-wide compile options as INTERFACE targets, linked PRIVATE by every target.
add_library(salesflow_warnings INTERFACE)
target_compile_options(salesflow_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
  -Woverloaded-virtual -Wpedantic -Wconversion -Wformat=2 -Wimplicit-fallthrough)
# GCC 12 reports a false -Wrestrict inside libstdc++ for `"literal" + std::string&&` at -O2
# (GCC PR 105651, fixed in 13): any release build of ordinary string code trips it.
target_compile_options(salesflow_warnings INTERFACE
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)
if(SALESFLOW_WERROR)
  target_compile_options(salesflow_warnings INTERFACE -Werror)
endif()

add_library(salesflow_options INTERFACE)
target_compile_features(salesflow_options INTERFACE cxx_std_20)
if(SALESFLOW_SANITIZE)
  target_compile_options(salesflow_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(salesflow_options INTERFACE -fsanitize=address,undefined)
endif()

# salesflow_module(<name> SOURCES ... DEPS ...): one library per src/<module>.
function(salesflow_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(salesflow_${name} STATIC ${M_SOURCES})
  target_include_directories(salesflow_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(salesflow_${name}
    PUBLIC salesflow_options ${M_PUBLIC_DEPS}
    PRIVATE salesflow_warnings ${M_DEPS})
endfunction()

# salesflow_test(<name> LABEL <label> SOURCES ... DEPS ...): one gtest binary, labelled for ctest.
function(salesflow_test name)
  cmake_parse_arguments(T "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${T_SOURCES} ${PROJECT_SOURCE_DIR}/tests/test_util.cpp)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PRIVATE salesflow_warnings salesflow_options ${T_DEPS}
    GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name}
    PROPERTIES LABELS ${T_LABEL}
    DISCOVERY_TIMEOUT 60
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()
