# Steps shared by the benchmark scripts (sourced, not run).

# Builds the Release binary the benchmarks measure; prints its path.
bench_build_onshi() {
  cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DONSHI_TESTS=OFF >/dev/null
  cmake --build build-bench --target onshi >/dev/null
  echo "$PWD/build-bench/onshi"
}

# bench_generate ONSHI PERSONS DIR: the synthetic files; prints the registration row count.
bench_generate() {
  "$1" gen --persons "$2" --out "$3" >/dev/null
  echo $(($(wc -l <"$3/registrations.csv") - 1))
}

# bench_reference_lists ONSHI GEN_DIR DATA_DIR: insurers and facilities, which a registration
# load needs first.
bench_reference_lists() {
  "$1" load --data-dir "$3" insurers "$2/insurers.csv" >/dev/null
  "$1" load --data-dir "$3" facilities "$2/facilities.csv" >/dev/null
}
