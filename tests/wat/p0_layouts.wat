;; A `wasi_unstable` (preview 0) program checking the layouts that differ
;; from preview 1: `filestat` (32-bit nlink at 20, size at 24, 56 bytes),
;; `whence` (CUR=0, END=1, SET=2) and the clock subscription (an extra
;; 64-bit identifier first: clock id at 24, timeout at 32, flags at 48; 56
;; bytes a subscription). The host gives a preopen "/w" (fd 3) holding
;; `data.txt` of 1234 bytes. `_start` exits with the number of the first
;; failed check, or prints "p0 ok" and returns.
(module
  (import "wasi_unstable" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_unstable" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $proc_exit (param i32)))

  (memory (export "memory") 1)
  (data (i32.const 0x300) "data.txt")
  (data (i32.const 0x310) "p0 ok\n")
  (global $fd (mut i32) (i32.const 0))

  ;; Exits with `code` unless `ok`.
  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $proc_exit (local.get $code)))))

  (func $fill (param $at i32) (param $len i32)
    (memory.fill (local.get $at) (i32.const 0xaa) (local.get $len)))

  (func (export "_start") (local $t i64)
    ;; open data.txt (read, seek, tell, filestat, poll)
    (call $check (i32.eqz (call $path_open (i32.const 3) (i32.const 1) (i32.const 0x300) (i32.const 8)
      (i32.const 0) (i64.const 0x8200026) (i64.const 0) (i32.const 0) (i32.const 0x7f0))) (i32.const 1))
    (global.set $fd (i32.load (i32.const 0x7f0)))

    ;; fd_filestat_get: 56 bytes, nlink u32 at 20, size at 24.
    (call $fill (i32.const 0x1000) (i32.const 80))
    (call $check (i32.eqz (call $fd_filestat_get (global.get $fd) (i32.const 0x1000))) (i32.const 10))
    (call $check (i32.eq (i32.load8_u (i32.const 0x1010)) (i32.const 4)) (i32.const 11))   ;; regular_file
    (call $check (i32.eq (i32.load (i32.const 0x1014)) (i32.const 1)) (i32.const 12))      ;; nlink
    (call $check (i64.eq (i64.load (i32.const 0x1018)) (i64.const 1234)) (i32.const 13))   ;; size
    (call $check (i64.ne (i64.load (i32.const 0x1028)) (i64.const 0)) (i32.const 14))      ;; mtim
    (call $check (i64.eq (i64.load (i32.const 0x1038)) (i64.const 0xaaaaaaaaaaaaaaaa)) (i32.const 15)) ;; nothing past 56
    (call $check (i64.ne (i64.load (i32.const 0x1008)) (i64.const 0)) (i32.const 16))      ;; ino
    ;; path_filestat_get: the same layout.
    (call $fill (i32.const 0x1100) (i32.const 80))
    (call $check (i32.eqz (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 0x300) (i32.const 8) (i32.const 0x1100))) (i32.const 17))
    (call $check (i64.eq (i64.load (i32.const 0x1118)) (i64.const 1234)) (i32.const 18))
    (call $check (i32.eq (i32.load (i32.const 0x1114)) (i32.const 1)) (i32.const 19))
    (call $check (i64.eq (i64.load (i32.const 0x1138)) (i64.const 0xaaaaaaaaaaaaaaaa)) (i32.const 20))

    ;; fd_seek: preview 0 whence is CUR=0, END=1, SET=2.
    (call $check (i32.eqz (call $fd_seek (global.get $fd) (i64.const 10) (i32.const 2) (i32.const 0x800))) (i32.const 30))
    (call $check (i64.eq (i64.load (i32.const 0x800)) (i64.const 10)) (i32.const 31))
    (call $check (i32.eqz (call $fd_seek (global.get $fd) (i64.const 5) (i32.const 0) (i32.const 0x800))) (i32.const 32))
    (call $check (i64.eq (i64.load (i32.const 0x800)) (i64.const 15)) (i32.const 33))
    (call $check (i32.eqz (call $fd_seek (global.get $fd) (i64.const -4) (i32.const 1) (i32.const 0x800))) (i32.const 34))
    (call $check (i64.eq (i64.load (i32.const 0x800)) (i64.const 1230)) (i32.const 35))
    (call $check (i32.eqz (call $fd_tell (global.get $fd) (i32.const 0x808))) (i32.const 36))
    (call $check (i64.eq (i64.load (i32.const 0x808)) (i64.const 1230)) (i32.const 37))
    (call $check (i32.eq (call $fd_seek (global.get $fd) (i64.const 0) (i32.const 3) (i32.const 0x800)) (i32.const 28)) (i32.const 38)) ;; EINVAL
    (call $check (i32.eq (call $fd_seek (global.get $fd) (i64.const -1) (i32.const 2) (i32.const 0x800)) (i32.const 28)) (i32.const 39)) ;; SET -1: EINVAL
    ;; back to 1000 with SET: 234 bytes left to read
    (call $check (i32.eqz (call $fd_seek (global.get $fd) (i64.const 1000) (i32.const 2) (i32.const 0x800))) (i32.const 40))

    ;; poll_oneoff with preview 0 subscriptions (56 bytes each):
    ;; [0] clock: userdata 0x11, identifier 0x99, monotonic, relative 60 s
    ;; [1] fd_read on the file: userdata 0x22, fd at 16
    (call $fill (i32.const 0x2000) (i32.const 112))
    (i64.store (i32.const 0x2000) (i64.const 0x11))
    (i32.store8 (i32.const 0x2008) (i32.const 0))
    (i64.store (i32.const 0x2010) (i64.const 0x99))
    (i32.store (i32.const 0x2018) (i32.const 1))
    (i64.store (i32.const 0x2020) (i64.const 60000000000))
    (i64.store (i32.const 0x2028) (i64.const 0))
    (i32.store16 (i32.const 0x2030) (i32.const 0))
    (i64.store (i32.const 0x2038) (i64.const 0x22))
    (i32.store8 (i32.const 0x2040) (i32.const 1))
    (i32.store (i32.const 0x2048) (global.get $fd))
    (call $fill (i32.const 0x3000) (i32.const 64))
    (call $check (i32.eqz (call $poll_oneoff (i32.const 0x2000) (i32.const 0x3000) (i32.const 2) (i32.const 0x900))) (i32.const 50))
    (call $check (i32.eq (i32.load (i32.const 0x900)) (i32.const 1)) (i32.const 51))          ;; one event
    (call $check (i64.eq (i64.load (i32.const 0x3000)) (i64.const 0x22)) (i32.const 52))     ;; userdata
    (call $check (i32.eq (i32.load16_u (i32.const 0x3008)) (i32.const 0)) (i32.const 53))    ;; errno
    (call $check (i32.eq (i32.load8_u (i32.const 0x300a)) (i32.const 1)) (i32.const 54))     ;; fd_read
    (call $check (i64.eq (i64.load (i32.const 0x3010)) (i64.const 234)) (i32.const 55))      ;; nbytes

    ;; A clock-only poll: relative 1 ms on the monotonic clock (id at 24,
    ;; timeout at 32); the 0x99 identifier does not matter.
    (i64.store (i32.const 0x2020) (i64.const 1000000))
    (call $check (i32.eqz (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 0x810))) (i32.const 60))
    (call $fill (i32.const 0x3000) (i32.const 64))
    (call $check (i32.eqz (call $poll_oneoff (i32.const 0x2000) (i32.const 0x3000) (i32.const 1) (i32.const 0x900))) (i32.const 61))
    (call $check (i32.eqz (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 0x818))) (i32.const 62))
    (call $check (i32.eq (i32.load (i32.const 0x900)) (i32.const 1)) (i32.const 63))
    (call $check (i64.eq (i64.load (i32.const 0x3000)) (i64.const 0x11)) (i32.const 64))
    (call $check (i32.eq (i32.load8_u (i32.const 0x300a)) (i32.const 0)) (i32.const 65))     ;; clock
    (call $check (i32.eq (i32.load16_u (i32.const 0x3008)) (i32.const 0)) (i32.const 66))
    (call $check (i64.ge_u (i64.sub (i64.load (i32.const 0x818)) (i64.load (i32.const 0x810))) (i64.const 1000000)) (i32.const 67))
    ;; Absolute (flags at 48 = 1): a deadline in the past fires at once.
    (i64.store (i32.const 0x2020) (i64.load (i32.const 0x810)))
    (i32.store16 (i32.const 0x2030) (i32.const 1))
    (call $check (i32.eqz (call $poll_oneoff (i32.const 0x2000) (i32.const 0x3000) (i32.const 1) (i32.const 0x900))) (i32.const 68))
    (call $check (i64.eq (i64.load (i32.const 0x3000)) (i64.const 0x11)) (i32.const 69))
    ;; Zero subscriptions: EINVAL.
    (call $check (i32.eq (call $poll_oneoff (i32.const 0x2000) (i32.const 0x3000) (i32.const 0) (i32.const 0x900)) (i32.const 28)) (i32.const 70))

    (call $check (i32.eqz (call $fd_close (global.get $fd))) (i32.const 80))
    ;; "p0 ok\n"
    (i32.store (i32.const 0x140) (i32.const 0x310))
    (i32.store (i32.const 0x144) (i32.const 6))
    (call $check (i32.eqz (call $fd_write (i32.const 1) (i32.const 0x140) (i32.const 1) (i32.const 0x800))) (i32.const 90)))
)
