//! The map's view of the restaurants: clusters and single points for a box and a zoom, under the
//! same filter as the list and the legend. The in-memory index is built from the store once and
//! rebuilt after a write (ours, or another process's: `PRAGMA data_version` says so); a filter's
//! matching rows are worked out once and reused while the map pans.

use super::Result;
use crate::domain::{Bbox, RestaurantFilter};
use crate::domain::{RestaurantId, Status};
use crate::map::index::PkSet;
use crate::map::{Cluster, IndexPoint, MapIndex, MapItem};
use crate::store::restaurants as table;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use ts_rs::TS;

/// What the map draws for one view.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MapClusters {
    pub clusters: Vec<Cluster>,
    pub points: Vec<MapPoint>,
    /// Restaurants inside the box under the filter (in clusters and points together).
    #[ts(type = "number")]
    pub total: u64,
}

/// A restaurant as a marker on the map: only what drawing needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MapPoint {
    pub id: RestaurantId,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub status: Status,
    /// A volunteer's proposal not decided yet (drawn with its own mark).
    pub proposed: bool,
}

/// The index and the last filter's rows, kept between requests.
#[derive(Default)]
pub struct MapCache {
    index: Option<Arc<MapIndex>>,
    filter: Option<(RestaurantFilter, Option<Arc<PkSet>>)>,
    data_version: Option<i64>,
}

impl MapCache {
    /// Forget everything: the next view rebuilds from the store.
    pub fn invalidate(&mut self) {
        self.index = None;
        self.filter = None;
    }

    /// The index, rebuilt if the store changed since it was built.
    pub fn index(&mut self, store: &Store) -> Result<Arc<MapIndex>> {
        let version = store.data_version()?;
        if self.data_version != Some(version) {
            self.invalidate();
            self.data_version = Some(version);
        }
        if let Some(index) = &self.index {
            return Ok(index.clone());
        }
        let points = table::index_points(store.conn())?.into_iter().map(|r| IndexPoint {
            pk: r.pk,
            id: r.id,
            name: r.name,
            lat: r.lat,
            lon: r.lon,
            status: r.status,
            proposed: r.proposed,
        });
        let index = Arc::new(MapIndex::new(points.collect()));
        self.index = Some(index.clone());
        Ok(index)
    }

    fn rows(&mut self, store: &Store, filter: &RestaurantFilter) -> Result<Option<Arc<PkSet>>> {
        if let Some((f, rows)) = &self.filter {
            if f == filter {
                return Ok(rows.clone());
            }
        }
        let rows = if filter.is_empty() {
            None
        } else {
            Some(Arc::new(PkSet::from_pks(table::matching_pks(store.conn(), filter)?)))
        };
        self.filter = Some((filter.clone(), rows.clone()));
        Ok(rows)
    }

    /// Clusters and points for `bbox` at `zoom` under `filter`.
    pub fn view(
        &mut self,
        store: &Store,
        filter: &RestaurantFilter,
        bbox: Bbox,
        zoom: u8,
    ) -> Result<MapClusters> {
        let index = self.index(store)?;
        let rows = self.rows(store, filter)?;
        Ok(view(&index, rows.as_deref(), bbox, zoom))
    }
}

/// Clusters and points for `bbox` at `zoom` among the `rows` kept by a filter (all when `None`).
pub fn view(index: &MapIndex, rows: Option<&PkSet>, bbox: Bbox, zoom: u8) -> MapClusters {
    let (items, total) = index.query((bbox.south, bbox.west, bbox.north, bbox.east), zoom.min(22), rows);
    let mut clusters = Vec::new();
    let mut points = Vec::new();
    for item in items {
        match item {
            MapItem::Cluster(c) => clusters.push(c),
            MapItem::Single(s) => {
                let p = index.point(s.index);
                points.push(MapPoint {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    lat: p.lat,
                    lon: p.lon,
                    status: p.status,
                    proposed: p.proposed,
                });
            }
        }
    }
    MapClusters { clusters, points, total }
}
