//! Truncated and mangled scripts return errors, never panics.

use super::DDL;
use crate::sql::SqlSession;

const QUERIES: &str = "
SELECT b.auction, a.name, COUNT(*) AS n, SUM(b.price) / COUNT(*) FROM bids b LEFT JOIN auctions a ON b.auction = a.id AND b.price > 1 GROUP BY b.auction, a.name HAVING COUNT(*) > 1;
SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 3;
SELECT auction FROM bids WHERE auction IN (SELECT id FROM auctions) UNION SELECT id FROM auctions ORDER BY 1 LIMIT 3;
EXECUTE STATEMENT SET BEGIN INSERT INTO out_sink SELECT auction, price FROM bids; END;
SELECT CASE WHEN price > 1 THEN 'a' END, CAST(price AS STRING), INTERVAL '1:30' HOUR TO MINUTE, EXTRACT(DAY FROM ts) FROM bids WHERE EXISTS (SELECT 1 FROM auctions WHERE id = auction);
";

#[test]
fn truncated_scripts_do_not_panic() {
    let script = format!("{DDL}{QUERIES}");
    let chars: Vec<char> = script.chars().collect();
    for cut in (0..chars.len()).step_by(3) {
        let text: String = chars[..cut].iter().collect();
        let mut s = SqlSession::new();
        let _ = s.execute_script(&text);
    }
}

#[test]
fn mangled_queries_do_not_panic() {
    let base = super::session();
    let chars: Vec<char> = QUERIES.chars().collect();
    let mut seed: u64 = 42;
    for _ in 0..400 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let i = (seed >> 33) as usize % chars.len();
        let j = ((seed >> 13) as usize % 7).min(chars.len() - i);
        let mut text: Vec<char> = chars.clone();
        text.drain(i..i + j);
        let mut s = base.clone();
        let _ = s.execute_script(&text.into_iter().collect::<String>());
    }
}
