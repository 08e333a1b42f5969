//! Keys at rest and in memory: Web3 Secret Storage v3 keystores (scrypt, AES-128-CTR, keccak MAC)
//! in cast wallet's folder and format — written by the same crate cast uses, so
//! `cast wallet address --keystore` opens ours and we open cast's — written atomically, and
//! unlocked only into memory that is zeroised on drop. No secret reaches `Debug`, a log or an
//! error message.

use std::{
    fmt, fs,
    path::{Path, PathBuf},
};

use alloy_primitives::{Address, B256};
use paratii_contracts::signing::Signer;
use zeroize::Zeroizing;

/// Why a key operation failed. No variant carries secret material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The password does not open the keystore (its MAC does not match).
    #[error("wrong password for keystore {0}")]
    WrongPassword(PathBuf),
    /// No keystore at that name or path.
    #[error("no keystore at {0}")]
    NotFound(PathBuf),
    /// A keystore with that name exists already; it was left as it was.
    #[error("keystore {0} exists already (choose another name)")]
    Exists(PathBuf),
    /// The file is not a v3 keystore this companion can read.
    #[error("keystore {path} cannot be read: {why}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong (never the secret).
        why: String,
    },
    /// A name that is not a plain file name (no separators, not hidden, not empty).
    #[error(
        "{0:?} is not a keystore name (letters, digits, '-', '_' and '.', not starting with '.')"
    )]
    BadName(String),
    /// The secret is not a valid secp256k1 private key (zero, or not below the curve order).
    #[error("not a valid secp256k1 private key")]
    BadKey,
    /// Reading or writing failed.
    #[error("{path}: {error}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        error: std::io::Error,
    },
}

/// A password, zeroised on drop and never printed.
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps `password`.
    #[must_use]
    pub fn new(password: String) -> Self {
        Self(Zeroizing::new(password))
    }

    /// Reads a password file (cast's `--password-file`): its first line, without the newline.
    ///
    /// # Errors
    /// [`KeyError::Io`] when the file cannot be read.
    pub fn from_file(path: &Path) -> Result<Self, KeyError> {
        let text = Zeroizing::new(
            fs::read_to_string(path).map_err(|error| KeyError::Io { path: path.into(), error })?,
        );
        Ok(Self::new(text.lines().next().unwrap_or_default().to_owned()))
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// An unlocked private key, in memory only (zeroised on drop); `Debug` shows its address.
pub struct UnlockedKey {
    signer: Signer,
    // The same key for alloy's wallet (transactions); k256 zeroises it on drop too.
    wallet: alloy_signer_local::PrivateKeySigner,
    address: Address,
}

impl UnlockedKey {
    /// The key for `secret`.
    ///
    /// # Errors
    /// [`KeyError::BadKey`] when `secret` is zero or not below the curve order.
    pub fn from_secret(secret: &[u8]) -> Result<Self, KeyError> {
        let bytes: [u8; 32] = secret.try_into().map_err(|_| KeyError::BadKey)?;
        let key = Zeroizing::new(bytes);
        let signer = Signer::try_from_bytes(B256::from(*key)).ok_or(KeyError::BadKey)?;
        let wallet = alloy_signer_local::PrivateKeySigner::from_slice(key.as_slice())
            .map_err(|_| KeyError::BadKey)?;
        let address = signer.address();
        Ok(Self { signer, wallet, address })
    }

    /// The key's Ethereum address.
    #[must_use]
    pub fn address(&self) -> Address {
        self.address
    }

    /// The key as an alloy transaction signer, for a provider's wallet.
    #[must_use]
    pub fn wallet_signer(&self) -> alloy_signer_local::PrivateKeySigner {
        self.wallet.clone()
    }

    /// Signs a 32-byte digest as wallets do: low s, `v` 27 or 28.
    #[must_use]
    pub fn sign(&self, digest: B256) -> paratii_contracts::ecdsa::Signature {
        self.signer.sign(digest)
    }
}

impl fmt::Debug for UnlockedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnlockedKey").field("address", &self.address).finish_non_exhaustive()
    }
}

/// A folder of keystores, one file per key, named as cast names them.
#[derive(Debug, Clone)]
pub struct KeyStore {
    dir: PathBuf,
}

/// cast wallet's keystore folder: `~/.foundry/keystores`.
#[must_use]
pub fn default_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map_or_else(|| PathBuf::from("."), PathBuf::from)
        .join(".foundry")
        .join("keystores")
}

fn check_name(name: &str) -> Result<(), KeyError> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(KeyError::BadName(name.to_owned()))
    }
}

impl KeyStore {
    /// The keystores in `dir` (created on first write).
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of keystore `name`.
    #[must_use]
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Creates a new random key, stores it encrypted under `name`, and returns its address.
    ///
    /// # Errors
    /// [`KeyError::BadName`], [`KeyError::Exists`], [`KeyError::Io`].
    pub fn create(&self, name: &str, password: &Password) -> Result<Address, KeyError> {
        let mut secret = Zeroizing::new([0u8; 32]);
        loop {
            rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut secret[..]);
            if let Ok(key) = UnlockedKey::from_secret(&secret[..]) {
                self.write(name, &secret[..], password)?;
                return Ok(key.address());
            }
        }
    }

    /// Stores `secret` encrypted under `name` and returns its address.
    ///
    /// # Errors
    /// [`KeyError::BadKey`], [`KeyError::BadName`], [`KeyError::Exists`], [`KeyError::Io`].
    pub fn import(
        &self,
        name: &str,
        secret: &[u8],
        password: &Password,
    ) -> Result<Address, KeyError> {
        let key = UnlockedKey::from_secret(secret)?;
        self.write(name, secret, password)?;
        Ok(key.address())
    }

    /// The names of the keystores in the folder, sorted (none when it does not exist).
    ///
    /// # Errors
    /// [`KeyError::Io`] when the folder cannot be read.
    pub fn list(&self) -> Result<Vec<String>, KeyError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(KeyError::Io { path: self.dir.clone(), error }),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|error| KeyError::Io { path: self.dir.clone(), error })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_file() && check_name(&name).is_ok() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Unlocks keystore `name` (or, when it contains a path separator, the file at that path).
    ///
    /// # Errors
    /// [`KeyError::NotFound`], [`KeyError::WrongPassword`], [`KeyError::Corrupt`],
    /// [`KeyError::BadKey`].
    pub fn unlock(&self, name: &str, password: &Password) -> Result<UnlockedKey, KeyError> {
        let path = if name.contains(std::path::MAIN_SEPARATOR) {
            PathBuf::from(name)
        } else {
            self.path(name)
        };
        unlock_file(&path, password)
    }

    /// Encrypts `secret` into a temporary file beside its final place, syncs it, and renames it
    /// there: a crash leaves either no keystore or a whole one, never a torn file.
    fn write(&self, name: &str, secret: &[u8], password: &Password) -> Result<(), KeyError> {
        check_name(name)?;
        let io = |path: &Path| {
            let path = path.to_owned();
            move |error| KeyError::Io { path, error }
        };
        fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let target = self.path(name);
        if target.exists() {
            return Err(KeyError::Exists(target));
        }
        let staging = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        fs::create_dir_all(&staging).map_err(io(&staging))?;
        let written = eth_keystore::encrypt_key(
            &staging,
            &mut rand::thread_rng(),
            secret,
            password.as_bytes(),
            Some(name),
        );
        let result = written
            .map_err(|e| KeyError::Corrupt { path: staging.join(name), why: e.to_string() })
            .and_then(|_| {
                let staged = staging.join(name);
                fs::File::open(&staged).and_then(|f| f.sync_all()).map_err(io(&staged))?;
                // A keystore created meanwhile by another process must not be overwritten.
                if target.exists() {
                    return Err(KeyError::Exists(target.clone()));
                }
                fs::rename(&staged, &target).map_err(io(&target))?;
                fs::File::open(&self.dir).and_then(|d| d.sync_all()).map_err(io(&self.dir))
            });
        let _ = fs::remove_dir_all(&staging);
        result
    }
}

/// Unlocks the keystore file at `path`.
///
/// # Errors
/// [`KeyError::NotFound`], [`KeyError::WrongPassword`], [`KeyError::Corrupt`],
/// [`KeyError::BadKey`].
pub fn unlock_file(path: &Path, password: &Password) -> Result<UnlockedKey, KeyError> {
    if !path.is_file() {
        return Err(KeyError::NotFound(path.to_owned()));
    }
    let secret = eth_keystore::decrypt_key(path, password.as_bytes()).map_err(|e| match e {
        eth_keystore::KeystoreError::MacMismatch => KeyError::WrongPassword(path.to_owned()),
        other => KeyError::Corrupt { path: path.to_owned(), why: other.to_string() },
    })?;
    UnlockedKey::from_secret(&Zeroizing::new(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder, removed when the test ends.
    fn temp_dir(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new().prefix(&format!("paratii-keys-{name}-")).tempdir().unwrap()
    }

    #[test]
    fn import_then_unlock_returns_the_same_address_and_a_wrong_password_is_refused() {
        let dir = temp_dir("roundtrip");
        let store = KeyStore::new(dir.path().to_path_buf());
        let secret = [7u8; 32];
        let password = Password::new("correct horse".into());
        let address = store.import("alice", &secret, &password).unwrap();
        assert_eq!(store.unlock("alice", &password).unwrap().address(), address);
        let wrong = store.unlock("alice", &Password::new("wrong".into())).unwrap_err();
        assert!(matches!(wrong, KeyError::WrongPassword(_)), "{wrong}");
        assert_eq!(store.list().unwrap(), ["alice"]);
        let again = store.import("alice", &[8u8; 32], &password).unwrap_err();
        assert!(matches!(again, KeyError::Exists(_)));
        assert_eq!(store.unlock("alice", &password).unwrap().address(), address, "left as it was");
        let _ = fs::remove_dir_all(store.dir());
    }

    #[test]
    fn create_writes_a_v3_scrypt_keystore_and_no_temporary_file_remains() {
        let dir = temp_dir("create");
        let store = KeyStore::new(dir.path().to_path_buf());
        let password = Password::new("pw".into());
        let address = store.create("device", &password).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&fs::read(store.path("device")).unwrap()).unwrap();
        assert_eq!(json["version"], 3);
        assert_eq!(json["crypto"]["kdf"], "scrypt");
        assert_eq!(json["crypto"]["cipher"], "aes-128-ctr");
        assert_eq!(fs::read_dir(store.dir()).unwrap().count(), 1, "only the keystore");
        assert_eq!(store.unlock("device", &password).unwrap().address(), address);
        let _ = fs::remove_dir_all(store.dir());
    }

    #[test]
    fn unlock_refuses_a_corrupt_file_and_a_missing_one() {
        let dir = temp_dir("corrupt");
        let store = KeyStore::new(dir.path().to_path_buf());
        fs::create_dir_all(store.dir()).unwrap();
        fs::write(store.path("broken"), b"{\"version\": 3}").unwrap();
        let password = Password::new("pw".into());
        assert!(matches!(store.unlock("broken", &password), Err(KeyError::Corrupt { .. })));
        assert!(matches!(store.unlock("absent", &password), Err(KeyError::NotFound(_))));
        assert!(matches!(
            store.import("../escape", &[7u8; 32], &password),
            Err(KeyError::BadName(_))
        ));
        let _ = fs::remove_dir_all(store.dir());
    }

    #[test]
    fn secrets_never_reach_debug() {
        let key = UnlockedKey::from_secret(&[7u8; 32]).unwrap();
        let shown = format!("{key:?} {:?}", Password::new("hunter2".into()));
        assert!(!shown.contains("hunter2") && !shown.contains("0707"), "{shown}");
        assert!(shown.contains(&format!("{:?}", key.address())));
        assert!(matches!(UnlockedKey::from_secret(&[0u8; 32]), Err(KeyError::BadKey)));
    }
}
