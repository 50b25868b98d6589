//! The in-memory order store, standing in for the service's database.

use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

/// An order as stored and returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Assigned by the store, from 1.
    pub id: u64,
    /// What was ordered.
    pub item: String,
    /// How many.
    pub quantity: u32,
}

/// The body of `POST /orders`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewOrder {
    /// What to order.
    pub item: String,
    /// How many.
    pub quantity: u32,
}

/// The orders created so far; cloning shares the store.
#[derive(Debug, Clone, Default)]
pub struct Orders(Arc<Mutex<Vec<Order>>>);

impl Orders {
    /// Stores `new` under the next id.
    pub fn insert(&self, new: NewOrder) -> Order {
        // A panic while the lock was held cannot leave the Vec half-updated (push is the only
        // write), so a poisoned lock is safe to keep using.
        let mut orders = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let order = Order {
            id: orders.len() as u64 + 1,
            item: new.item,
            quantity: new.quantity,
        };
        orders.push(order.clone());
        order
    }

    /// The order with this id, if any.
    pub fn get(&self, id: u64) -> Option<Order> {
        let orders = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let index = usize::try_from(id.checked_sub(1)?).ok()?;
        orders.get(index).cloned()
    }
}
