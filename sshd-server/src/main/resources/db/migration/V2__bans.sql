-- Offences and bans shared by every node behind the balancer: an address's offences add up
-- whichever node they hit, and a ban made by one node is in force on all until it expires.
CREATE TABLE ferry_offence (
    address inet NOT NULL,
    at timestamptz NOT NULL,
    score integer NOT NULL CHECK (score > 0)
);
CREATE INDEX ferry_offence_address_at ON ferry_offence (address, at);

CREATE TABLE ferry_ban (
    address inet PRIMARY KEY,
    until timestamptz NOT NULL,
    -- how many bans the address has had, this one included: the next is twice as long
    bans integer NOT NULL CHECK (bans > 0)
);
CREATE INDEX ferry_ban_until ON ferry_ban (until);
