//! Hostile input never panics and never loops: a deterministic pseudo-random soup of the
//! characters the parser cares about.
use tandem_conf::{load, MemSource};

fn soup(seed: &mut u64, len: usize) -> String {
    const ALPHABET: &[&str] = &[
        "[",
        "]",
        "(",
        ")",
        "!",
        "+",
        ",",
        "=",
        ">",
        ";",
        "--",
        ";--",
        "--;",
        "\\",
        "#include ",
        "#tryinclude ",
        "#exec ",
        "a",
        "b",
        "*",
        "?",
        "{",
        "}",
        " ",
        "\t",
        "\n",
        "\n",
        "é",
        "☎",
        "\r",
        "\"",
        "<",
        "/",
        "a.conf",
    ];
    let mut s = String::new();
    for _ in 0..len {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let i = ((*seed >> 33) as usize) % ALPHABET.len();
        s.push_str(ALPHABET[i]);
    }
    s
}

#[test]
fn random_input_never_panics() {
    let mut seed = 42u64;
    for _ in 0..2000 {
        let main = soup(&mut seed, 60);
        let other = soup(&mut seed, 40);
        let src = MemSource::new()
            .with("main.conf", &main)
            .with("a.conf", &other)
            .with("b/a.conf", &other);
        let l = load(&src, "main.conf");
        for d in &l.diagnostics {
            assert!(!d.to_string().is_empty());
        }
    }
}
