;; Preview 1 calls that carry more guest data than a small host-call fuel
;; (`Store::set_hostcall_fuel`): each `case_*` export makes one call and
;; returns its errno; tests/preview1_fuel.rs runs them with the fuel at
;; 1,000 (the big ones answer `nomem`, the small ones work) and at the
;; default (none answers `nomem`). The host preopens a directory as fd 3
;; holding `data.txt`, and gives some stdin.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "path_filestat_get" (func $p0_path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))

  ;; 16 pages (1 MiB), zeroed but for the data below. Regions:
  ;; 0x00100 iovec -> "hello" (0x00200); 0x00110 iovec -> 2000 bytes at 0x01000
  ;; 0x00300 "data.txt"; 0x10000.. scratch: 10,000 zero iovecs, a 110,000-byte
  ;; path, 10,000 zero subscriptions (480,000 bytes) and their events.
  (memory (export "memory") 16)
  (data (i32.const 0x100) "\00\02\00\00\05\00\00\00")
  (data (i32.const 0x110) "\00\10\00\00\d0\07\00\00")
  (data (i32.const 0x200) "hello")
  (data (i32.const 0x300) "data.txt")

  (func (export "case_iovs_many") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0x10000) (i32.const 10000) (i32.const 0x80)))
  (func (export "case_write_big") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0x110) (i32.const 1) (i32.const 0x80)))
  (func (export "case_path_long") (result i32)
    (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x10000) (i32.const 110000) (i32.const 0x400)))
  (func (export "case_p0_path_long") (result i32)
    (call $p0_path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x10000) (i32.const 110000) (i32.const 0x400)))
  ;; Two paths of 600 bytes: 1,200 together.
  (func (export "case_symlink_two_paths") (result i32)
    (call $path_symlink (i32.const 0x20000) (i32.const 600) (i32.const 3) (i32.const 0x30000) (i32.const 600)))
  (func (export "case_poll_many") (result i32)
    (call $poll_oneoff (i32.const 0x20000) (i32.const 0x90000) (i32.const 10000) (i32.const 0x80)))
  ;; The small calls.
  (func (export "case_write_small") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0x100) (i32.const 1) (i32.const 0x80)))
  ;; A read's buffers count too, as in wasmtime: 2,000 bytes are too many.
  (func (export "case_read_big_buffer") (result i32)
    (call $fd_read (i32.const 0) (i32.const 0x110) (i32.const 1) (i32.const 0x80)))
  (func (export "case_read_small") (result i32)
    (call $fd_read (i32.const 0) (i32.const 0x100) (i32.const 1) (i32.const 0x80)))
  (func (export "case_path_small") (result i32)
    (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x300) (i32.const 8) (i32.const 0x400)))
  (func (export "case_poll_small") (result i32)
    (call $poll_oneoff (i32.const 0x20000) (i32.const 0x90000) (i32.const 1) (i32.const 0x80)))
)
