use crate::helpers::test_settings;
use persistence::Store;

/// Every migration applies, reverts and applies again.
#[tokio::test]
async fn migrations_go_up_down_and_up() {
    let (settings, file) = test_settings();
    let url = settings.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let store = Store::connect(&url, 1).unwrap();
        let up = store.migrate().unwrap();
        assert!(up >= 1);
        assert_eq!(store.revert_all_migrations().unwrap(), up);
        assert_eq!(store.migrate().unwrap(), up);
        assert_eq!(store.migrate().unwrap(), 0, "nothing left to apply");
    })
    .await
    .unwrap();
    if let Some(f) = file {
        let _ = std::fs::remove_file(f);
    }
}
