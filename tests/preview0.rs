//! Preview 0 (`wasi_unstable`): a WAT module (`tests/wat/p0_layouts.wat`)
//! checks the layouts that differ from preview 1 (its `filestat` with a
//! 32-bit `nlink`, its `whence` order, its clock subscription) through
//! `preview0::add_to_linker_*`, in every linker mode.

use crate::common;
use common::p1::{self, P1Mode};
use common::{Run, tempdir};

#[test]
fn preview0_layouts() {
    for mode in P1Mode::ALL {
        let tmp = tempdir();
        std::fs::write(tmp.path().join("data.txt"), vec![b'z'; 1234]).unwrap();
        let run = Run::new(&p1::wat("p0_layouts.wat")).preopen_rw(tmp.path(), "/w");
        let out = p1::run(&run, mode);
        // A non-zero code is the number of the failed check in the WAT.
        out.assert_success();
        assert_eq!(out.stdout(), "p0 ok\n");
    }
}
