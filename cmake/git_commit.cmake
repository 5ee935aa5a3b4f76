# Run at every build (cmake -P): writes OUT with the commit the source tree is at, "-dirty" when
# tracked files differ from it. The file is rewritten only when that changes, so a report never
# names a stale commit and an unchanged tree rebuilds nothing.
execute_process(COMMAND git rev-parse --short=12 HEAD
                WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no
                WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit "unknown")
elseif(dirty)
  string(APPEND commit "-dirty")
endif()
set(text "#pragma once\n// Written at build time by cmake/git_commit.cmake.\nnamespace parbench::build {\ninline constexpr const char* git_commit = \"${commit}\";\n}  // namespace parbench::build\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
