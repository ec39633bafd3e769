//! Roles, jurisdictions and what each role may do.

use serde::{Deserialize, Serialize};

pub mod signin;

/// What an account does in the team. Residents have no accounts; they come through personal links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Admin,
    Official,
    CommunityStaff,
    GridWorker,
    Guard,
    Doctor,
    Volunteer,
    CdcLiaison,
    Auditor,
}

crate::coded!(Role {
    Admin => "admin",
    Official => "official",
    CommunityStaff => "community_staff",
    GridWorker => "grid_worker",
    Guard => "guard",
    Doctor => "doctor",
    Volunteer => "volunteer",
    CdcLiaison => "cdc_liaison",
    Auditor => "auditor",
});

impl Role {
    /// Browse households and residents (masked).
    pub fn can_view_registry(self) -> bool {
        matches!(
            self,
            Role::Admin
                | Role::Official
                | Role::CommunityStaff
                | Role::GridWorker
                | Role::Doctor
                | Role::CdcLiaison
        )
    }

    /// Create and edit households and residents.
    pub fn can_edit_registry(self) -> bool {
        matches!(self, Role::Admin | Role::CommunityStaff | Role::GridWorker)
    }

    /// Create and edit the structure: communities, grids, buildings, units.
    pub fn can_edit_structure(self) -> bool {
        matches!(self, Role::Admin | Role::CommunityStaff)
    }

    /// See a full ID number or phone. Only roles that must contact or identify a person;
    /// an administrator runs the system and has no need to read residents' numbers.
    pub fn can_unmask(self) -> bool {
        matches!(
            self,
            Role::CommunityStaff | Role::GridWorker | Role::Doctor | Role::CdcLiaison
        )
    }

    pub fn can_import(self) -> bool {
        matches!(self, Role::Admin | Role::CommunityStaff)
    }

    pub fn can_export(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Official | Role::CommunityStaff | Role::GridWorker
        )
    }

    pub fn can_read_audit(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }

    pub fn can_manage_accounts(self) -> bool {
        matches!(self, Role::Admin)
    }
}

/// The level of the administrative tree an account is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Level {
    All,
    District,
    Street,
    Community,
    Grid,
    Building,
}

crate::coded!(Level {
    All => "all",
    District => "district",
    Street => "street",
    Community => "community",
    Grid => "grid",
    Building => "building",
});

/// Where an account may work: a node of district > street > community > grid > building.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Jurisdiction {
    pub level: Level,
    /// The id of the district, street, ... row; 0 for `Level::All`.
    pub id: i64,
}

impl Jurisdiction {
    pub const ALL: Jurisdiction = Jurisdiction {
        level: Level::All,
        id: 0,
    };

    pub fn new(level: Level, id: i64) -> Jurisdiction {
        match level {
            Level::All => Jurisdiction::ALL,
            _ => Jurisdiction { level, id },
        }
    }
}

/// The place of one registry object in the tree, used to decide whether a jurisdiction covers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placement {
    pub district_id: i64,
    pub street_id: i64,
    pub community_id: i64,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
}

impl Jurisdiction {
    /// Whether an object placed at `p` lies inside this jurisdiction.
    pub fn covers(&self, p: &Placement) -> bool {
        match self.level {
            Level::All => true,
            Level::District => p.district_id == self.id,
            Level::Street => p.street_id == self.id,
            Level::Community => p.community_id == self.id,
            Level::Grid => p.grid_id == Some(self.id),
            Level::Building => p.building_id == Some(self.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("resident"), None);
    }

    #[test]
    fn jurisdiction_covers_only_its_subtree() {
        let p = Placement {
            district_id: 1,
            street_id: 2,
            community_id: 3,
            grid_id: Some(4),
            building_id: Some(5),
        };
        assert!(Jurisdiction::ALL.covers(&p));
        assert!(Jurisdiction::new(Level::Community, 3).covers(&p));
        assert!(!Jurisdiction::new(Level::Community, 4).covers(&p));
        assert!(Jurisdiction::new(Level::Grid, 4).covers(&p));
        assert!(!Jurisdiction::new(Level::Building, 6).covers(&p));
        let community_level = Placement {
            grid_id: None,
            building_id: None,
            ..p
        };
        assert!(!Jurisdiction::new(Level::Grid, 4).covers(&community_level));
    }

    #[test]
    fn only_contact_roles_unmask() {
        assert!(!Role::Admin.can_unmask());
        assert!(!Role::Auditor.can_unmask());
        assert!(Role::GridWorker.can_unmask());
        assert!(!Role::Volunteer.can_view_registry());
    }
}
