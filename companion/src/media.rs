//! Packaging a video for pay-per-segment streaming: HLS segments cut by ffmpeg, each segment's
//! IPFS content id, and the metadata the producer registers on chain.
//!
//! A segment is addressed by its `CIDv1` with the `raw` codec and a sha2-256 multihash ([`Cid`]):
//! the id `ipfs add --cid-version 1 --raw-leaves` gives a file of one chunk (256 KiB), so a
//! segment can be fetched from any IPFS gateway and checked against its id by whoever receives
//! it. [`Packager::package`] refuses a segment above one chunk ([`MediaError::SegmentTooLarge`]): its IPFS
//! id would be a `dag-pb` root instead, which a player could not check byte for byte.
//!
//! The on-chain record holds three sha2-256 digests: the source file (`original`), the playlist
//! (`transcoded`) and the metadata JSON (`metadata`), which lists every segment's id, size and
//! duration.

use std::{
    fmt, fs,
    path::{Path, PathBuf},
    process::Command,
};

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The largest segment whose raw CID is the one IPFS gives it (one chunk of `ipfs add`'s default
/// chunker, `size-262144`).
pub const MAX_SEGMENT_BYTES: u64 = 256 * 1024;

/// The playlist's file name inside a package.
pub const PLAYLIST: &str = "index.m3u8";

/// The metadata's file name inside a package.
pub const METADATA: &str = "metadata.json";

/// Why a video could not be packaged or a package read.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// ffmpeg is not installed (Debian: `apt-get install ffmpeg`).
    #[error(
        "ffmpeg is not installed or not on PATH ({0}): install it (Debian: apt-get install ffmpeg)"
    )]
    FfmpegMissing(String),
    /// ffmpeg ran and failed.
    #[error("ffmpeg could not segment {input}: {stderr}")]
    Ffmpeg {
        /// The source file.
        input: PathBuf,
        /// The last lines ffmpeg printed.
        stderr: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// A segment is larger than one IPFS chunk.
    #[error(
        "segment {index} is {bytes} bytes, above one IPFS chunk ({max}): use shorter segments or a lower bitrate"
    )]
    SegmentTooLarge {
        /// Its position in the playlist, from 0.
        index: usize,
        /// Its size.
        bytes: u64,
        /// [`MAX_SEGMENT_BYTES`].
        max: u64,
    },
    /// The playlist or the metadata is not what a package holds.
    #[error("{path}: {why}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// An IPFS gateway could not be reached, refused, or answered bytes that are not the block
    /// asked for.
    #[error("gateway {url}: {why}")]
    Gateway {
        /// What was asked.
        url: String,
        /// What went wrong.
        why: String,
    },
    /// A segment's bytes do not hash to the id the metadata gives it.
    #[error("segment {index}: its bytes hash to {got}, the metadata says {want}")]
    WrongBytes {
        /// Its position in the playlist, from 0.
        index: usize,
        /// The id of the bytes received.
        got: Cid,
        /// The id the metadata gives.
        want: Cid,
    },
}

/// A `CIDv1` with the `raw` codec (0x55) and a sha2-256 multihash: the IPFS id of a one-chunk
/// file added with raw leaves. Printed as multibase base32 (`bafkrei…`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cid(B256);

/// The CID's binary prefix: version 1, codec `raw`, multihash sha2-256 of 32 bytes.
const CID_PREFIX: [u8; 4] = [0x01, 0x55, 0x12, 0x20];

/// RFC 4648 base32, lower case, as multibase `b` spells it.
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

impl Cid {
    /// The id of `bytes`.
    #[must_use]
    pub fn of(bytes: &[u8]) -> Self {
        Self(B256::from_slice(&Sha256::digest(bytes)))
    }

    /// The id whose sha2-256 digest is `digest`.
    #[must_use]
    pub const fn from_digest(digest: B256) -> Self {
        Self(digest)
    }

    /// The sha2-256 digest the id carries.
    #[must_use]
    pub const fn digest(&self) -> B256 {
        self.0
    }

    /// Parses `bafkrei…` (multibase base32, `CIDv1`, raw, sha2-256); `None` for anything else.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let body = text.strip_prefix('b')?;
        let mut bytes = Vec::with_capacity(36);
        let (mut acc, mut bits) = (0u32, 0u32);
        for c in body.bytes() {
            let value = BASE32.iter().position(|b| *b == c)?;
            acc = (acc << 5) | u32::try_from(value).ok()?;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes.push(u8::try_from((acc >> bits) & 0xff).ok()?);
            }
        }
        // Canonical: no leftover bits set, and exactly prefix + digest.
        if acc & ((1 << bits) - 1) != 0 || bytes.len() != 36 || bytes[..4] != CID_PREFIX {
            return None;
        }
        Some(Self(B256::from_slice(&bytes[4..])))
    }
}

impl fmt::Display for Cid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = CID_PREFIX.to_vec();
        bytes.extend_from_slice(self.0.as_slice());
        let mut out = String::with_capacity(59);
        out.push('b');
        let (mut acc, mut bits) = (0u32, 0u32);
        for byte in bytes {
            acc = (acc << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(char::from(BASE32[((acc >> bits) & 31) as usize]));
            }
        }
        if bits > 0 {
            out.push(char::from(BASE32[((acc << (5 - bits)) & 31) as usize]));
        }
        f.write_str(&out)
    }
}

impl fmt::Debug for Cid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cid({self})")
    }
}

impl Serialize for Cid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("{text:?} is not a raw sha2-256 CIDv1"))
        })
    }
}

/// One segment of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Its file name in the package (and URI in the playlist).
    pub uri: String,
    /// Its IPFS id.
    pub cid: Cid,
    /// Its size.
    pub bytes: u64,
    /// Its duration, milliseconds.
    pub millis: u64,
}

/// A package's metadata (`metadata.json`): what a viewer checks every segment against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// The format's version, 1.
    pub version: u32,
    /// The source file's id (its sha2-256 digest is the on-chain `original`).
    pub source: Cid,
    /// The source file's size.
    pub source_bytes: u64,
    /// The playlist's id (its digest is the on-chain `transcoded`).
    pub playlist: Cid,
    /// The segments, in playback order.
    pub segments: Vec<Segment>,
}

/// A packaged video, as [`Packager::package`] wrote it or [`Package::open`] read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The folder holding the playlist, the segments and the metadata.
    pub dir: PathBuf,
    /// The metadata.
    pub metadata: Metadata,
    /// The metadata file's id (its digest is the on-chain `metadata`).
    pub metadata_cid: Cid,
}

impl Package {
    /// The three digests the video registry records: original, transcoded (the playlist),
    /// metadata.
    #[must_use]
    pub fn digests(&self) -> (B256, B256, B256) {
        (self.metadata.source.digest(), self.metadata.playlist.digest(), self.metadata_cid.digest())
    }

    /// Reads a package from `dir`, checking the playlist against the metadata.
    ///
    /// # Errors
    /// [`MediaError::Io`] or [`MediaError::Malformed`].
    pub fn open(dir: &Path) -> Result<Self, MediaError> {
        let path = dir.join(METADATA);
        let bytes = read(&path)?;
        let metadata: Metadata = serde_json::from_slice(&bytes)
            .map_err(|e| MediaError::Malformed { path: path.clone(), why: e.to_string() })?;
        let playlist = read(&dir.join(PLAYLIST))?;
        if Cid::of(&playlist) != metadata.playlist {
            return Err(MediaError::Malformed {
                path,
                why: format!(
                    "the playlist is not the one this metadata names ({})",
                    metadata.playlist
                ),
            });
        }
        Ok(Self { dir: dir.to_owned(), metadata, metadata_cid: Cid::of(&bytes) })
    }

    /// The bytes of segment `index`, checked against its id.
    ///
    /// # Errors
    /// [`MediaError::Malformed`] when there is no such segment, [`MediaError::Io`],
    /// [`MediaError::WrongBytes`] when the file changed since packaging.
    pub fn segment(&self, index: usize) -> Result<Vec<u8>, MediaError> {
        let segment = self.metadata.segments.get(index).ok_or_else(|| MediaError::Malformed {
            path: self.dir.join(METADATA),
            why: format!("no segment {index} (the video has {})", self.metadata.segments.len()),
        })?;
        let bytes = read(&self.dir.join(&segment.uri))?;
        check(index, &bytes, segment.cid)?;
        Ok(bytes)
    }
}

/// Checks that `bytes` are segment `index`, whose id is `want`.
///
/// # Errors
/// [`MediaError::WrongBytes`].
pub fn check(index: usize, bytes: &[u8], want: Cid) -> Result<(), MediaError> {
    let got = Cid::of(bytes);
    if got == want {
        Ok(())
    } else {
        Err(MediaError::WrongBytes { index, got, want })
    }
}

fn read(path: &Path) -> Result<Vec<u8>, MediaError> {
    fs::read(path).map_err(|error| MediaError::Io { path: path.to_owned(), error })
}

/// How videos are packaged: which ffmpeg, and how long a segment is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packager {
    /// The ffmpeg program (a name looked up on `PATH`, or a path).
    pub ffmpeg: PathBuf,
    /// Target segment duration, seconds (at least 1).
    pub segment_seconds: u32,
}

impl Default for Packager {
    /// `ffmpeg` from `PATH`, 2-second segments.
    fn default() -> Self {
        Self { ffmpeg: PathBuf::from("ffmpeg"), segment_seconds: 2 }
    }
}

impl Packager {
    /// Segments `input` into HLS in `out` with ffmpeg (H.264 with a key frame at every segment
    /// boundary, AAC audio when there is any), computes every segment's IPFS id, and writes the
    /// metadata. `out` is created; what it held before is left alone apart from the files
    /// written.
    ///
    /// ffmpeg runs as a child process: call this from a blocking context (`spawn_blocking`).
    ///
    /// # Errors
    /// [`MediaError::FfmpegMissing`], [`MediaError::Ffmpeg`], [`MediaError::Io`],
    /// [`MediaError::SegmentTooLarge`], [`MediaError::Malformed`] (ffmpeg wrote no usable
    /// playlist).
    pub fn package(&self, input: &Path, out: &Path) -> Result<Package, MediaError> {
        let source = read(input)?;
        fs::create_dir_all(out).map_err(|error| MediaError::Io { path: out.to_owned(), error })?;
        let seconds = self.segment_seconds.max(1);
        let ran = Command::new(&self.ffmpeg)
            .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i"])
            .arg(input)
            .args(["-map", "0:v:0", "-map", "0:a:0?", "-c:v", "libx264", "-preset", "veryfast"])
            .args(["-force_key_frames", &format!("expr:gte(t,n_forced*{seconds})")])
            .args(["-sc_threshold", "0", "-c:a", "aac", "-f", "hls"])
            .args(["-hls_time", &seconds.to_string(), "-hls_playlist_type", "vod"])
            .arg("-hls_segment_filename")
            .arg(out.join("seg%05d.ts"))
            .arg(out.join(PLAYLIST))
            .output()
            .map_err(|e| MediaError::FfmpegMissing(e.to_string()))?;
        if !ran.status.success() {
            let stderr = String::from_utf8_lossy(&ran.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            return Err(MediaError::Ffmpeg {
                input: input.to_owned(),
                stderr: tail.into_iter().rev().collect::<Vec<_>>().join(" | "),
            });
        }
        let playlist_path = out.join(PLAYLIST);
        let playlist = read(&playlist_path)?;
        let entries = parse_playlist(&playlist)
            .map_err(|why| MediaError::Malformed { path: playlist_path.clone(), why })?;
        let mut segments = Vec::with_capacity(entries.len());
        for (index, (uri, millis)) in entries.into_iter().enumerate() {
            let bytes = read(&out.join(&uri))?;
            let size = bytes.len() as u64;
            if size > MAX_SEGMENT_BYTES {
                return Err(MediaError::SegmentTooLarge {
                    index,
                    bytes: size,
                    max: MAX_SEGMENT_BYTES,
                });
            }
            segments.push(Segment { uri, cid: Cid::of(&bytes), bytes: size, millis });
        }
        let metadata = Metadata {
            version: 1,
            source: Cid::of(&source),
            source_bytes: source.len() as u64,
            playlist: Cid::of(&playlist),
            segments,
        };
        let mut json = serde_json::to_vec_pretty(&metadata).unwrap_or_default();
        json.push(b'\n');
        let path = out.join(METADATA);
        crate::fsutil::write_atomically(&path, &json)
            .map_err(|error| MediaError::Io { path: path.clone(), error })?;
        Ok(Package { dir: out.to_owned(), metadata, metadata_cid: Cid::of(&json) })
    }
}

/// The segments of a VOD media playlist: each URI with its `#EXTINF` duration in milliseconds.
fn parse_playlist(text: &[u8]) -> Result<Vec<(String, u64)>, String> {
    let text = std::str::from_utf8(text).map_err(|e| e.to_string())?;
    if !text.starts_with("#EXTM3U") {
        return Err("not an M3U8 playlist".into());
    }
    let mut out = Vec::new();
    let mut duration = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("#EXTINF:") {
            let seconds: f64 = rest
                .split(',')
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("bad duration in {line:?}"))?;
            // Durations are positive and small; rounding to milliseconds is exact enough.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let millis = (seconds * 1000.0).round() as u64;
            duration = Some(millis);
        } else if !line.starts_with('#') {
            let millis = duration.take().ok_or_else(|| format!("{line:?} has no #EXTINF"))?;
            if line.contains('/') || line.contains("..") {
                return Err(format!("segment URI {line:?} leaves the package"));
            }
            out.push((line.to_owned(), millis));
        }
    }
    if out.is_empty() {
        return Err("no segments".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cid_matches_kubo_vector_for_hello_world() {
        let cid = Cid::of(b"hello world");
        assert_eq!(cid.to_string(), "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
        assert_eq!(Cid::parse(&cid.to_string()), Some(cid));
    }

    #[test]
    fn cid_parse_refuses_other_codecs_and_noncanonical_text() {
        // A dag-pb CIDv1 (bafybei…) and a CIDv0 (Qm…) are not raw leaves.
        assert_eq!(Cid::parse("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"), None);
        assert_eq!(Cid::parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"), None);
        let text = Cid::of(b"x").to_string();
        assert_eq!(Cid::parse(&text.to_uppercase()), None);
        assert_eq!(Cid::parse(&text[..text.len() - 1]), None);
    }

    #[test]
    fn parse_playlist_reads_segments_with_durations() {
        let text = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.000000,\nseg00000.ts\n#EXTINF:1.520000,\nseg00001.ts\n#EXT-X-ENDLIST\n";
        assert_eq!(
            parse_playlist(text).unwrap(),
            vec![("seg00000.ts".to_owned(), 2000), ("seg00001.ts".to_owned(), 1520)]
        );
    }

    #[test]
    fn parse_playlist_refuses_uris_leaving_the_package() {
        let text = b"#EXTM3U\n#EXTINF:2.0,\n../etc/passwd\n";
        assert!(parse_playlist(text).unwrap_err().contains("leaves the package"));
        assert!(parse_playlist(b"#EXTM3U\nseg.ts\n").unwrap_err().contains("no #EXTINF"));
        assert!(parse_playlist(b"hello").is_err());
    }

    #[test]
    fn check_refuses_tampered_bytes() {
        let cid = Cid::of(b"segment");
        check(0, b"segment", cid).unwrap();
        assert!(matches!(check(3, b"segmenT", cid), Err(MediaError::WrongBytes { index: 3, .. })));
    }
}
