//! A guest that fails hard. `argv[1]`:
//! - `unreachable` (default): a real `unreachable` instruction;
//! - `stack-overflow`: unbounded recursion;
//! - `oob`: an out-of-bounds memory access.
use std::hint::black_box;

#[inline(never)]
#[allow(unconditional_recursion)]
fn recurse(n: u64, buf: &mut [u8; 256]) -> u64 {
    buf[(n % 256) as usize] = n as u8;
    let mut local = [0u8; 256];
    local[0] = buf[0];
    recurse(black_box(n + 1), black_box(&mut local)) + local[(n % 7) as usize] as u64
}

fn main() {
    let case = std::env::args().nth(1).unwrap_or_else(|| "unreachable".into());
    println!("before-trap {case}");
    match case.as_str() {
        "unreachable" => core::arch::wasm32::unreachable(),
        "stack-overflow" => {
            let mut buf = [0u8; 256];
            println!("{}", recurse(0, &mut buf));
        }
        "oob" => {
            let p = black_box(0xffff_fff0usize) as *const u64;
            let v = unsafe { core::ptr::read_volatile(p) };
            println!("read {v}");
        }
        other => wasi_guests::unknown_case(other),
    }
    println!("after-trap (must not be printed)");
}
