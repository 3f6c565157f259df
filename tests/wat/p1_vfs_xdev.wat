;; Links and renames between a host preopen (fd 3) and a virtual mount
;; (fd 4), and between two mounts (fd 4 and fd 5), are `xdev`. Exits with
;; rename(3 -> 4) | link(4 -> 3) << 8 | rename(4 -> 5) << 16 | link(4 -> 5) << 24,
;; each the errno of that call.
(module
  (import "wasi_snapshot_preview1" "path_rename"
    (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link"
    (func $link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "a")
  (data (i32.const 32) "b")
  (func (export "_start")
    (call $exit
      (i32.or
        (i32.or
          (call $rename (i32.const 3) (i32.const 16) (i32.const 1)
                        (i32.const 4) (i32.const 32) (i32.const 1))
          (i32.shl
            (call $link (i32.const 4) (i32.const 0) (i32.const 16) (i32.const 1)
                        (i32.const 3) (i32.const 32) (i32.const 1))
            (i32.const 8)))
        (i32.or
          (i32.shl
            (call $rename (i32.const 4) (i32.const 16) (i32.const 1)
                          (i32.const 5) (i32.const 32) (i32.const 1))
            (i32.const 16))
          (i32.shl
            (call $link (i32.const 4) (i32.const 0) (i32.const 16) (i32.const 1)
                        (i32.const 5) (i32.const 32) (i32.const 1))
            (i32.const 24)))))))
