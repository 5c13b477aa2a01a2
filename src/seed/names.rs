//! Plausible names and valid codes for demo subjects.

use domain::{citizen_id, uscc};

const STEMS: &[&str] = &[
    "宏达", "鑫源", "恒泰", "瑞丰", "金诚", "华信", "振兴", "广源", "东方", "北辰", "润通", "天合",
    "永盛", "嘉禾", "兴隆", "海晟", "佳联", "德润", "远航", "益民", "福顺", "汇通", "康泰", "长青",
    "中盛", "新阳", "安和", "铭远",
];
const TRADES: &[&str] = &[
    "矿业",
    "机械制造",
    "建筑工程",
    "农业科技",
    "食品",
    "物流",
    "商贸",
    "热力",
    "新能源",
    "化工",
    "环保科技",
    "房地产开发",
    "餐饮管理",
    "医药",
    "纺织",
    "汽车销售",
    "电力设备",
    "信息技术",
    "酒业",
    "玛瑙工艺品",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "孙", "马", "朱", "胡", "郭", "何",
    "高", "林",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞",
];

/// Counties and districts of the demo, with their names.
pub const PLACES: &[(&str, &str)] = &[
    ("210902", "海州区"),
    ("210903", "新邱区"),
    ("210904", "太平区"),
    ("210905", "清河门区"),
    ("210911", "细河区"),
    ("210921", "阜新蒙古族自治县"),
    ("210922", "彰武县"),
];

const USCC_SET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

pub fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

pub fn company_name(rng: &mut fastrand::Rng, place: &str) -> String {
    let prefix = if rng.bool() {
        format!("阜新市{place}")
    } else {
        "阜新".to_owned()
    };
    format!("{prefix}{}{}有限公司", pick(rng, STEMS), pick(rng, TRADES))
}

pub fn shop_name(rng: &mut fastrand::Rng, place: &str) -> String {
    format!(
        "{place}{}{}经营部",
        pick(rng, STEMS),
        pick(rng, &["超市", "饭店", "五金", "修理", "药店"])
    )
}

pub fn person_name(rng: &mut fastrand::Rng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
}

/// A valid unified social credit code: `kind` is the first two characters (91 enterprise, 92
/// individual business), then the division, a nine-character organisation code (its own check
/// last) and the check.
pub fn uscc(rng: &mut fastrand::Rng, kind: &str, division: &str) -> String {
    let body: String = (0..8)
        .map(|_| USCC_SET[rng.usize(..USCC_SET.len())] as char)
        .collect();
    uscc::complete(&format!("{kind}{division}"), &body).unwrap_or_default()
}

/// A valid citizen identity number born in the division between 1950 and 2000.
pub fn citizen_id(rng: &mut fastrand::Rng, division: &str) -> String {
    let mut s = format!(
        "{division}{}{:02}{:02}{:03}",
        rng.u32(1950..2001),
        rng.u32(1..13),
        rng.u32(1..29),
        rng.u32(0..1000)
    );
    let check = citizen_id::check_character(s.as_bytes()).unwrap_or('0');
    s.push(check);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_valid() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..200 {
            assert!(domain::Uscc::parse(&uscc(&mut rng, "91", "210902")).is_ok());
            assert!(domain::CitizenId::parse(&citizen_id(&mut rng, "210922")).is_ok());
        }
    }
}
