-- The Nexmark tables as the Nexmark project's Flink SQL suite declares them (its views
-- person/auction/bid over the `datagen` table), here one `nexmark` source table each. Tables with
-- the same options describe the same event stream of ${EVENTS_NUM} events, so joins match.
-- ${EVENTS_NUM} and ${TPS} (events per second of event time) are filled in by `weir bench`.

CREATE TABLE person (
    id  BIGINT,
    name  VARCHAR,
    emailAddress  VARCHAR,
    creditCard  VARCHAR,
    city  VARCHAR,
    state  VARCHAR,
    `dateTime`  TIMESTAMP(3),
    extra  VARCHAR,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'nexmark',
    'nexmark.table' = 'person',
    'events.num' = '${EVENTS_NUM}',
    'first-event.rate' = '${TPS}',
    'next-event.rate' = '${TPS}'
);

CREATE TABLE auction (
    id  BIGINT,
    itemName  VARCHAR,
    description  VARCHAR,
    initialBid  BIGINT,
    reserve  BIGINT,
    `dateTime`  TIMESTAMP(3),
    expires  TIMESTAMP(3),
    seller  BIGINT,
    category  BIGINT,
    extra  VARCHAR,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'nexmark',
    'nexmark.table' = 'auction',
    'events.num' = '${EVENTS_NUM}',
    'first-event.rate' = '${TPS}',
    'next-event.rate' = '${TPS}'
);

CREATE TABLE bid (
    auction  BIGINT,
    bidder  BIGINT,
    price  BIGINT,
    channel  VARCHAR,
    url  VARCHAR,
    `dateTime`  TIMESTAMP(3),
    extra  VARCHAR,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'nexmark',
    'nexmark.table' = 'bid',
    'events.num' = '${EVENTS_NUM}',
    'first-event.rate' = '${TPS}',
    'next-event.rate' = '${TPS}'
);
