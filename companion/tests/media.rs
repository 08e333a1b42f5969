//! Packaging with the real ffmpeg (Debian's `ffmpeg`): a clip made from ffmpeg's test sources is
//! cut into 2-second HLS segments, each named by its IPFS id, and the package decodes.

mod common;

use std::process::Command;

use paratii_companion::media::{Cid, MediaError, Package, Packager, METADATA, PLAYLIST};

#[test]
fn package_cuts_two_second_segments_named_by_their_ids() {
    let dir = tempfile::tempdir().unwrap();
    let source = common::clip(dir.path(), 10, true);
    let out = dir.path().join("pkg");
    let package = Packager::default().package(&source, &out).unwrap();
    let segments = &package.metadata.segments;
    assert_eq!(segments.len(), 5, "{segments:?}");
    let total: u64 = segments.iter().map(|s| s.millis).sum();
    assert!((9_900..=10_100).contains(&total), "total {total} ms");
    for (index, segment) in segments.iter().enumerate() {
        let bytes = std::fs::read(out.join(&segment.uri)).unwrap();
        assert_eq!(Cid::of(&bytes), segment.cid);
        assert_eq!(bytes.len() as u64, segment.bytes);
        assert_eq!(package.segment(index).unwrap(), bytes);
    }
    // The digests registered on chain are those of the source, the playlist and the metadata.
    let (original, transcoded, metadata) = package.digests();
    assert_eq!(Cid::from_digest(original), Cid::of(&std::fs::read(&source).unwrap()));
    assert_eq!(Cid::from_digest(transcoded), Cid::of(&std::fs::read(out.join(PLAYLIST)).unwrap()));
    assert_eq!(Cid::from_digest(metadata), Cid::of(&std::fs::read(out.join(METADATA)).unwrap()));
    assert_eq!(Package::open(&out).unwrap(), package);
    // The package plays: ffprobe reads the playlist through to the end.
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"])
        .arg(out.join(PLAYLIST))
        .output()
        .unwrap();
    assert!(probe.status.success(), "{}", String::from_utf8_lossy(&probe.stderr));
    let seconds: f64 = String::from_utf8_lossy(&probe.stdout).trim().parse().unwrap();
    assert!((9.5..=10.5).contains(&seconds), "{seconds}");
}

#[test]
fn segment_fails_with_wrong_bytes_when_file_tampered() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pkg");
    let package = Packager::default().package(&common::clip(dir.path(), 10, true), &out).unwrap();
    let uri = &package.metadata.segments[2].uri;
    let mut bytes = std::fs::read(out.join(uri)).unwrap();
    bytes[100] ^= 1;
    std::fs::write(out.join(uri), &bytes).unwrap();
    assert!(matches!(package.segment(2), Err(MediaError::WrongBytes { index: 2, .. })));
    assert!(package.segment(1).is_ok());
}

#[test]
fn package_fails_with_typed_errors_when_ffmpeg_missing_or_input_bad() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("not-a-video.mp4");
    std::fs::write(&source, b"not a video").unwrap();
    let missing = Packager { ffmpeg: "/nonexistent/ffmpeg".into(), ..Packager::default() };
    assert!(matches!(
        missing.package(&source, &dir.path().join("a")),
        Err(MediaError::FfmpegMissing(_))
    ));
    let err = Packager::default().package(&source, &dir.path().join("b")).unwrap_err();
    assert!(matches!(err, MediaError::Ffmpeg { .. }), "{err}");
    assert!(matches!(
        Packager::default().package(&dir.path().join("absent.mp4"), &dir.path().join("c")),
        Err(MediaError::Io { .. })
    ));
}

#[tokio::test]
async fn video_fetch_fails_with_typed_errors_when_gateway_returns_wrong_bytes() {
    use paratii_companion::serve::Video;
    let dir = tempfile::tempdir().unwrap();
    let clip = common::clip(dir.path(), 6, false);
    let package = Packager::default().package(&clip, &dir.path().join("pkg")).unwrap();
    let blocks = common::blocks(&package, &dir.path().join("gw"));
    let gateway = common::Gateway::start(&dir.path().join("gw"));
    let (id, price) = (alloy_primitives::B256::repeat_byte(7), alloy_primitives::U256::from(1u8));
    let fetched = Video::fetch(id, price, &gateway.1, package.metadata_cid).await.unwrap();
    assert_eq!(fetched.segment_count(), 3);

    // A segment altered on the gateway: refused, naming it.
    let second = blocks.join(package.metadata.segments[1].cid.to_string());
    let original = std::fs::read(&second).unwrap();
    std::fs::write(&second, b"not the segment").unwrap();
    let refused = Video::fetch(id, price, &gateway.1, package.metadata_cid).await.unwrap_err();
    assert!(matches!(refused, MediaError::WrongBytes { index: 1, .. }), "{refused}");
    std::fs::write(&second, original).unwrap();

    // The playlist altered: refused before any segment is asked for.
    let playlist = blocks.join(package.metadata.playlist.to_string());
    std::fs::write(&playlist, b"#EXTM3U\n").unwrap();
    let refused = Video::fetch(id, price, &gateway.1, package.metadata_cid).await.unwrap_err();
    assert!(
        matches!(&refused, MediaError::Gateway { why, .. } if why.contains("hash to")),
        "{refused}"
    );

    // A block the gateway does not have.
    let missing = Cid::of(b"nobody added this");
    let refused = Video::fetch(id, price, &gateway.1, missing).await.unwrap_err();
    assert!(
        matches!(&refused, MediaError::Gateway { why, .. } if why.contains("404")),
        "{refused}"
    );
}
