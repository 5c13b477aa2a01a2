use async_graphql::{Description, InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// 日期 (date), ISO 8601 `YYYY-MM-DD`, in China Standard Time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Description)]
pub struct Date(pub NaiveDate);

#[Scalar(
    name = "Date",
    use_type_description,
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("日期格式应为 YYYY-MM-DD：{s}"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}
