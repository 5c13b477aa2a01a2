fn main() -> std::process::ExitCode {
    xinyong::cli::main()
}
