-- An instance's runtime states go with it. Before, instance_states had no foreign key, and a
-- state written behind after the instance was deleted (the engine's final OFF) stayed as an
-- orphan row forever. The StateWriter now skips states of instances that no longer exist, and
-- the foreign key removes the states when the instance is deleted.
DELETE FROM instance_states s WHERE NOT EXISTS (SELECT 1 FROM instances i WHERE i.selector = s.selector);
ALTER TABLE instance_states
    ADD CONSTRAINT instance_states_selector_fkey FOREIGN KEY (selector) REFERENCES instances (selector) ON DELETE CASCADE;
