;; A few preview 1 calls with known outcomes, for the call trace and the
;; access log (`tests/observe.rs`). Preopens: fd 3 read-write, fd 4
;; read-only.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename"
    (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "missing")
  (data (i32.const 32) "made.txt")
  (data (i32.const 48) "moved.txt")
  (data (i32.const 64) "hi\n")
  ;; one iovec at 80: 3 bytes at 64
  (data (i32.const 80) "\40\00\00\00\03\00\00\00")
  (func (export "_start")
    ;; "missing" under fd 3: noent
    (drop (call $path_open (i32.const 3) (i32.const 1) (i32.const 16) (i32.const 7)
      (i32.const 0) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 200)))
    ;; create "made.txt" under fd 3: a new descriptor at 200
    (drop (call $path_open (i32.const 3) (i32.const 1) (i32.const 32) (i32.const 8)
      (i32.const 1) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 200)))
    ;; create "made.txt" under the read-only fd 4: refused (perm)
    (drop (call $path_open (i32.const 4) (i32.const 1) (i32.const 32) (i32.const 8)
      (i32.const 1) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 200)))
    ;; rename it
    (drop (call $path_rename (i32.const 3) (i32.const 32) (i32.const 8)
      (i32.const 3) (i32.const 48) (i32.const 9)))
    ;; "hi\n" to stdout, the count at 204
    (drop (call $fd_write (i32.const 1) (i32.const 80) (i32.const 1) (i32.const 204)))
    (call $proc_exit (i32.const 3))))
