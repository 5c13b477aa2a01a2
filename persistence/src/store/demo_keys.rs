//! Keys a demonstration makes for itself: once per database, by `serve --demo`, and read back by
//! every later command on that database, so that a demonstration never runs on a key anyone knows
//! and its tokens and reports stay valid across restarts.

use super::{Store, now};
use crate::schema::demo_keys;
use diesel::prelude::*;

impl Store {
    /// The demonstration key `name`, if `serve --demo` made one for this database.
    pub fn demo_key(&self, name: &str) -> Result<Option<String>, crate::StoreError> {
        let name = name.to_owned();
        self.read(move |c| {
            Ok(demo_keys::table
                .find(name)
                .select(demo_keys::value)
                .first::<String>(c)
                .optional()?)
        })
    }

    /// The demonstration key `name`, made with `make` the first time. Two instances starting at
    /// once agree: the second insert fails on the key's name and reads the first one's back.
    pub fn demo_key_or_make(
        &self,
        name: &str,
        make: impl FnOnce() -> String,
    ) -> Result<String, crate::StoreError> {
        if let Some(found) = self.demo_key(name)? {
            return Ok(found);
        }
        let value = make();
        let row = (
            demo_keys::name.eq(name.to_owned()),
            demo_keys::value.eq(value.clone()),
            demo_keys::made_at.eq(now()),
        );
        match self.write(move |c| {
            Ok(diesel::insert_into(demo_keys::table)
                .values(row)
                .execute(c)?)
        }) {
            Ok(_) => Ok(value),
            Err(e) => self.demo_key(name)?.ok_or(e),
        }
    }
}
