//! Generates the parser from `grammar/sdl.lalrpop` into `OUT_DIR`.
fn main() {
    lalrpop::Configuration::new()
        .emit_rerun_directives(true)
        .set_in_dir("grammar")
        .set_out_dir(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .process()
        .expect("grammar/sdl.lalrpop must generate a parser");
}
