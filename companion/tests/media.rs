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
