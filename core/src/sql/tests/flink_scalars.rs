//! TYPEOF, PRINTF, ENCODE/DECODE, INET_ATON/INET_NTOA and TIME ± INTERVAL end to end. The
//! expected texts are Flink's: Java's `String.format(Locale.US, ..)` for PRINTF, Java's
//! `String.getBytes` / `new String(bytes, charset)` for ENCODE/DECODE, the examples of Flink's
//! `InetAtonFunction`/`InetNtoaFunction` for the INET functions, and Flink's TIME arithmetic
//! (wrapping at midnight, keeping the TIME's precision).

use super::{check_expressions, error, run_rows};

fn check(cases: &[(&str, &str)]) {
    check_expressions("CAST({} AS STRING)", cases);
}

#[test]
fn typeof_names_the_argument_type() {
    check(&[
        ("TYPEOF(1)", "INT NOT NULL"),
        // Flink: CHAR(3) NOT NULL (Weir has no CHAR(n), see docs/functions.md).
        ("TYPEOF('abc')", "STRING NOT NULL"),
        ("TYPEOF(CAST('a' AS VARCHAR(3)))", "STRING NOT NULL"),
        ("TYPEOF(1.5)", "DECIMAL(2, 1) NOT NULL"),
        ("TYPEOF(CAST(NULL AS BIGINT))", "BIGINT"),
        ("TYPEOF(NULL)", "NULL"),
        ("TYPEOF(1, TRUE)", "INT NOT NULL"),
    ]);
    assert_eq!(run_rows("SELECT TYPEOF(price), TYPEOF(auction), TYPEOF(channel) FROM bids LIMIT 1"), ["BIGINT, BIGINT NOT NULL, STRING"]);
}

#[test]
fn printf_formats_as_java() {
    check(&[
        ("PRINTF('%s-%05d', 'a', 42)", "a-00042"),
        ("PRINTF('%.2f|%,d|%x', 2.675e0, 1234567, 255)", "2.68|1,234,567|ff"),
        ("PRINTF('%s %s', 1.50, TRUE)", "1.50 true"),
        ("PRINTF('%2$s %1$s', 'a', 'b')", "b a"),
        ("PRINTF('%s', CAST(NULL AS INT))", "null"),
        ("PRINTF('no args')", "no args"),
        ("PRINTF(CAST(NULL AS STRING), 1)", "null"),
    ]);
}

#[test]
fn encode_and_decode_convert_as_java() {
    check(&[
        ("DECODE(ENCODE('héllo €', 'UTF-16'), 'UTF-16')", "héllo €"),
        ("DECODE(ENCODE('aé€', 'US-ASCII'), 'US-ASCII')", "a??"),
        ("DECODE(ENCODE('aé', 'ISO-8859-1'), 'ISO-8859-1')", "aé"),
        ("DECODE(ENCODE('aé', 'ISO-8859-1'), 'UTF-8')", "a\u{FFFD}"),
        ("CARDINALITY(ARRAY[LENGTH(DECODE(ENCODE('ab', 'utf-16le'), 'UTF-16LE'))])", "1"),
        ("ENCODE(CAST(NULL AS STRING), 'UTF-8')", "null"),
    ]);
}

#[test]
fn inet_functions_convert_ipv4_addresses() {
    check(&[
        ("INET_ATON('127.0.0.1')", "2130706433"),
        ("INET_ATON('127.1')", "2130706433"),
        ("INET_ATON('10.0.0.1')", "167772161"),
        ("INET_ATON('1.2.3.256')", "null"),
        ("INET_ATON('')", "null"),
        ("INET_NTOA(2130706433)", "127.0.0.1"),
        ("INET_NTOA(167772161)", "10.0.0.1"),
        ("INET_NTOA(-1)", "255.255.255.255"),
        ("INET_NTOA(CAST(-1 AS BIGINT))", "null"),
        ("INET_NTOA(4294967296)", "null"),
    ]);
}

#[test]
fn time_plus_and_minus_intervals_wrap_at_midnight() {
    check(&[
        ("TIME '23:30:00' + INTERVAL '1' HOUR", "00:30:00"),
        ("TIME '10:00:00' - INTERVAL '90' MINUTE", "08:30:00"),
        ("INTERVAL '2' SECOND + TIME '10:00:00'", "10:00:02"),
        ("TIME '00:10:00' - INTERVAL '1' DAY", "00:10:00"),
        ("TIME '10:00:00' + INTERVAL '0.5' SECOND", "10:00:00"),
        ("CAST('10:00:00.250' AS TIME(3)) + INTERVAL '0.5' SECOND", "10:00:00.75"),
    ]);
}

#[test]
fn bad_arguments_fail_at_their_place() {
    assert!(error("SELECT TIME '10:00:00' + INTERVAL '1' YEAR").contains("a TIME takes only a day-time INTERVAL"));
    assert!(error("SELECT ENCODE('a', 'EBCDIC')").contains("unsupported character set \"EBCDIC\""));
    assert!(error("SELECT PRINTF('%s', ARRAY[1])").contains("PRINTF formats scalar values"));
    assert!(error("SELECT TYPEOF(1, price) FROM bids").contains("literal TRUE or FALSE"));
    assert!(error("SELECT INET_NTOA('1.2.3.4')").contains("INET_NTOA expects"));
}
