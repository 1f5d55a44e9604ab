//! The device key of a sign-in (`lobby_model::domain::device_key`, issue 8): made at
//! every sign-in, its private half in the secret store under `session.device_key` (so
//! it ends with the session's tokens: logout, a refused refresh, a wipe), its public
//! half registered with the server through the outbox (`device_key_register`), which
//! the sign-in's first sync pushes at once. The server revokes it when the sign-in ends.

use chrono::Utc;
use lobby_model::domain::device_key::DeviceKey;

use crate::client::Inner;
use crate::error::Result;
use crate::protocol::Mutation;
use crate::secrets::keys;

impl Inner {
    /// Makes this sign-in's key pair, keeps the private half and queues the public one.
    pub(crate) fn make_device_key(&self, person_id: &str) -> Result<()> {
        let key = DeviceKey::generate();
        self.device.set_secret(keys::DEVICE_KEY, &key.to_secret())?;
        let mutation = Mutation::DeviceKeyRegister {
            key_id: key.key_id,
            public_key: key.public_key_hex(),
        };
        self.with_store_mut(|s| s.enqueue(person_id, mutation, Utc::now()))?;
        Ok(())
    }

    /// This sign-in's key, if the phone holds one.
    pub(crate) fn device_key(&self) -> Result<Option<DeviceKey>> {
        self.device
            .secret(keys::DEVICE_KEY)?
            .map(|s| DeviceKey::from_secret(&s))
            .transpose()
    }

    /// Whether the server has yet to learn of the key `key_id` (its registration still
    /// queued, or refused).
    pub(crate) fn device_key_unregistered(&self, person_id: &str, key_id: &str) -> Result<bool> {
        let entries = self.with_store(|s| s.outbox_entries(person_id))?;
        Ok(entries.iter().any(|e| {
            matches!(&e.envelope.mutation,
                Mutation::DeviceKeyRegister { key_id: k, .. } if k.to_string() == key_id)
        }))
    }
}
