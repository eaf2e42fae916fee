-- 004: satisfaction surveys — survey waves, their responses, and mystery-shopper visits.
--
-- No FOREIGN KEY clauses (see 001): wave_id and customer_id are checked by the crm_core writers.
-- customer_id is NULL for an anonymous answer. Answers outside their scales are rejected here so
-- a bad import row can never skew a score: satisfaction 1..5 (5 = 高度满意 highly satisfied),
-- recommend 0..10 (the NPS question), SERVQUAL expectation/perception items 1..7.
-- recommend_yes is the plain yes/no recommend question used by the satisfaction ladder when the
-- 0..10 question was not asked.

CREATE SEQUENCE survey_wave_id_seq START 1;
CREATE SEQUENCE survey_response_id_seq START 1;
CREATE SEQUENCE mystery_visit_id_seq START 1;

CREATE TABLE survey_waves (
    wave_id     BIGINT PRIMARY KEY DEFAULT nextval('survey_wave_id_seq'),
    name        VARCHAR NOT NULL,
    started_on  DATE NOT NULL,
    invited     INTEGER CHECK (invited IS NULL OR invited >= 0)
);

CREATE TABLE survey_responses (
    response_id        BIGINT PRIMARY KEY DEFAULT nextval('survey_response_id_seq'),
    wave_id            BIGINT NOT NULL,
    responded_on       DATE NOT NULL,
    customer_id        BIGINT,
    region             VARCHAR,
    channel            VARCHAR,
    satisfaction       SMALLINT CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5),
    repurchase_intent  BOOLEAN,
    recommend          SMALLINT CHECK (recommend IS NULL OR recommend BETWEEN 0 AND 10),
    recommend_yes      BOOLEAN,
    comment            VARCHAR,
    exp_tangibles       SMALLINT CHECK (exp_tangibles IS NULL OR exp_tangibles BETWEEN 1 AND 7),
    perc_tangibles      SMALLINT CHECK (perc_tangibles IS NULL OR perc_tangibles BETWEEN 1 AND 7),
    exp_reliability     SMALLINT CHECK (exp_reliability IS NULL OR exp_reliability BETWEEN 1 AND 7),
    perc_reliability    SMALLINT CHECK (perc_reliability IS NULL OR perc_reliability BETWEEN 1 AND 7),
    exp_responsiveness  SMALLINT CHECK (exp_responsiveness IS NULL OR exp_responsiveness BETWEEN 1 AND 7),
    perc_responsiveness SMALLINT CHECK (perc_responsiveness IS NULL OR perc_responsiveness BETWEEN 1 AND 7),
    exp_assurance       SMALLINT CHECK (exp_assurance IS NULL OR exp_assurance BETWEEN 1 AND 7),
    perc_assurance      SMALLINT CHECK (perc_assurance IS NULL OR perc_assurance BETWEEN 1 AND 7),
    exp_empathy         SMALLINT CHECK (exp_empathy IS NULL OR exp_empathy BETWEEN 1 AND 7),
    perc_empathy        SMALLINT CHECK (perc_empathy IS NULL OR perc_empathy BETWEEN 1 AND 7),
    import_id          BIGINT
);

-- Mystery-shopper visits (seed 004: KFC scored one restaurant 83, 85 and 88 on hidden visits).
-- checklist holds the visit's checklist as JSON text (VARCHAR: no dependency on the json extension).
CREATE TABLE mystery_visits (
    visit_id    BIGINT PRIMARY KEY DEFAULT nextval('mystery_visit_id_seq'),
    location    VARCHAR NOT NULL,
    visited_on  DATE NOT NULL,
    score       DECIMAL(5, 2) CHECK (score IS NULL OR score BETWEEN 0 AND 100),
    checklist   VARCHAR,
    import_id   BIGINT
);
