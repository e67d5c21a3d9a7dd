//! The rule packs compiled into the binary, so a default scan needs no file
//! on disk. The list is explicit (an `include_dir!` would miss new files in
//! incremental builds); a test checks that every `rules/*.toml` is listed.

/// `(file name, contents)` of each built-in pack, in load order.
pub const PACKS: &[(&str, &str)] = &[
    ("global.toml", include_str!("../../rules/global.toml")),
    ("cloud-aws.toml", include_str!("../../rules/cloud-aws.toml")),
    ("cloud-gcp.toml", include_str!("../../rules/cloud-gcp.toml")),
    (
        "cloud-azure.toml",
        include_str!("../../rules/cloud-azure.toml"),
    ),
    (
        "cloud-other.toml",
        include_str!("../../rules/cloud-other.toml"),
    ),
    ("vcs.toml", include_str!("../../rules/vcs.toml")),
    ("chat.toml", include_str!("../../rules/chat.toml")),
    ("payments.toml", include_str!("../../rules/payments.toml")),
    ("ai.toml", include_str!("../../rules/ai.toml")),
    ("keys.toml", include_str!("../../rules/keys.toml")),
    ("web.toml", include_str!("../../rules/web.toml")),
    ("databases.toml", include_str!("../../rules/databases.toml")),
    ("generic.toml", include_str!("../../rules/generic.toml")),
    (
        "registries.toml",
        include_str!("../../rules/registries.toml"),
    ),
    (
        "observability.toml",
        include_str!("../../rules/observability.toml"),
    ),
    ("devops.toml", include_str!("../../rules/devops.toml")),
    ("saas.toml", include_str!("../../rules/saas.toml")),
    ("analytics.toml", include_str!("../../rules/analytics.toml")),
    ("messaging.toml", include_str!("../../rules/messaging.toml")),
    (
        "productivity.toml",
        include_str!("../../rules/productivity.toml"),
    ),
    ("commerce.toml", include_str!("../../rules/commerce.toml")),
    (
        "frameworks.toml",
        include_str!("../../rules/frameworks.toml"),
    ),
    ("identity.toml", include_str!("../../rules/identity.toml")),
    ("media.toml", include_str!("../../rules/media.toml")),
];

#[cfg(test)]
mod tests {
    use super::PACKS;

    #[test]
    fn every_pack_on_disk_is_built_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = PACKS.iter().map(|(n, _)| n.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
    }
}
