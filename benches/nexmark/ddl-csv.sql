-- The `bid` table over CSV files (the bids of the `nexmark` source, written once by
-- `weir-bench nexmark --flink`), as Flink and Weir both read it: the filesystem connector, the
-- suite's watermark 4 s behind `dateTime`. ${PATH} is the directory of the files.

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
    'connector' = 'filesystem',
    'path' = '${PATH}',
    'format' = 'csv'
);
