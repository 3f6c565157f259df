//! A small grep: `grep [-i] [-n] [-c] [-v] PATTERN [FILE...]`, fixed-string
//! matching, reading stdin without files. Exit 0 when a line matched, 1 when
//! none did, 2 on an error (as grep).

use std::io::{self, BufRead, BufReader, Write};

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let (mut ignore_case, mut number, mut count, mut invert) = (false, false, false, false);
    while let Some(flag) = args.peek().filter(|a| a.starts_with('-') && a.len() > 1) {
        for c in flag[1..].chars() {
            match c {
                'i' => ignore_case = true,
                'n' => number = true,
                'c' => count = true,
                'v' => invert = true,
                _ => {
                    eprintln!("grep: unknown option -{c}");
                    std::process::exit(2);
                }
            }
        }
        args.next();
    }
    let Some(pattern) = args.next() else {
        eprintln!("usage: grep [-i] [-n] [-c] [-v] PATTERN [FILE...]");
        std::process::exit(2);
    };
    let pattern = if ignore_case {
        pattern.to_lowercase()
    } else {
        pattern
    };
    let files: Vec<String> = args.collect();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut matched = false;
    let mut failed = false;
    let mut search =
        |name: Option<&str>, input: &mut dyn BufRead, out: &mut dyn Write| -> io::Result<()> {
            let mut hits = 0usize;
            for (i, line) in input.lines().enumerate() {
                let line = line?;
                let hay = if ignore_case {
                    line.to_lowercase()
                } else {
                    line.clone()
                };
                if hay.contains(&pattern) != invert {
                    hits += 1;
                    if !count {
                        if let Some(n) = name {
                            write!(out, "{n}:")?;
                        }
                        if number {
                            write!(out, "{}:", i + 1)?;
                        }
                        writeln!(out, "{line}")?;
                    }
                }
            }
            if count {
                match name {
                    Some(n) => writeln!(out, "{n}:{hits}")?,
                    None => writeln!(out, "{hits}")?,
                }
            }
            matched |= hits > 0;
            Ok(())
        };
    if files.is_empty() {
        let stdin = io::stdin();
        if let Err(e) = search(None, &mut stdin.lock(), &mut out) {
            eprintln!("grep: stdin: {:?}", e.kind());
            failed = true;
        }
    }
    let label = files.len() > 1;
    for f in &files {
        let short = f.rsplit('/').next().unwrap_or(f);
        match std::fs::File::open(f) {
            Ok(file) => {
                let mut r = BufReader::new(file);
                if let Err(e) = search(label.then_some(short), &mut r, &mut out) {
                    eprintln!("grep: {short}: {:?}", e.kind());
                    failed = true;
                }
            }
            Err(e) => {
                println!("grep: {short}: {:?}", e.kind());
                failed = true;
            }
        }
    }
    out.flush().unwrap();
    std::process::exit(if failed {
        2
    } else if matched {
        0
    } else {
        1
    });
}
