//! Test support: a store on a fresh bucket and table of the S3/DynamoDB
//! emulator (moto) that `scripts/test.sh` starts on 127.0.0.1.

use crate::AwsStore;

/// A store on new, uniquely named resources, or `None` (with a notice) when
/// no emulator runs. With `REQUIRE_MOTO=1`, as the test script sets, a
/// missing emulator is a failure instead: those tests never skip in CI.
pub async fn moto_store(prefix: &str) -> Option<AwsStore> {
    if std::env::var_os("MOTO_URL").is_none() {
        assert!(
            std::env::var_os("REQUIRE_MOTO").is_none(),
            "REQUIRE_MOTO=1 but MOTO_URL is not set: start moto (scripts/test.sh does)"
        );
        eprintln!(
            "MOTO_URL no está definido: se omite la prueba contra moto (use scripts/test.sh)"
        );
        return None;
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let name = format!("{prefix}-{}", &id[..12]);
    let store = AwsStore::connect(name.clone(), name).await;
    store
        .create_bucket_and_table()
        .await
        .expect("bucket and table created on moto");
    Some(store)
}
