use chaos::chaos;

#[chaos(status = "500", rate = "0.1", latency_ms = 1.5, one_in = true)]
fn strings_for_numbers() {}

#[chaos(error = 5, name = some_ident)]
fn numbers_for_strings() {}

const CODE: u16 = 503;

#[chaos(status = CODE)]
fn a_constant() {}

#[chaos(latency_ms = 100..)]
fn half_open_range() {}

#[chaos(status = 503u8, rate = 0.5f32)]
fn type_suffixes() {}

fn main() {}
