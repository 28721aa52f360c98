//! Row-at-a-time operators that keep the order rows arrive in. Timely's `map`, `flat_map` and
//! `filter` first group a batch by time, so rows of different times come out sorted by time;
//! operators whose results depend on the order rows of one key arrive in (DataStream process
//! functions, as in Flink) need the order they were produced in instead.

use timely::container::CapacityContainerBuilder;
use timely::dataflow::StreamVec;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;

use crate::types::Row;

use super::{Time, frontier_ms};

/// Each update of `input` turned into zero or one output by `f`, in arrival order.
pub fn filter_map_in_order<'s, D, F>(input: StreamVec<'s, Time, (Row, Time, isize)>, name: &str, mut f: F) -> StreamVec<'s, Time, D>
where
    D: Clone + 'static,
    F: FnMut((Row, Time, isize)) -> Option<D> + 'static,
{
    input.unary::<CapacityContainerBuilder<Vec<D>>, _, _, _>(Pipeline, name, move |_cap, _info| {
        move |input, output| {
            input.for_each(|cap, data| {
                output.session(&cap).give_iterator(data.drain(..).filter_map(&mut f));
            });
        }
    })
}

/// [`filter_map_in_order`] for operators that need to know how far their input has come:
/// `f` also gets the least millisecond of the input frontier (the watermark plus one for
/// event-time inputs; `None` once the input has ended) as it was when the batch arrived.
pub fn filter_map_in_order_at_frontier<'s, D, F>(input: StreamVec<'s, Time, (Row, Time, isize)>, name: &str, mut f: F) -> StreamVec<'s, Time, D>
where
    D: Clone + 'static,
    F: FnMut((Row, Time, isize), Option<u64>) -> Option<D> + 'static,
{
    input.unary_frontier::<CapacityContainerBuilder<Vec<D>>, _, _, _>(Pipeline, name, move |_cap, _info| {
        move |(input, frontier), output| {
            let at = frontier_ms(frontier.frontier());
            input.for_each(|cap, data| {
                output.session(&cap).give_iterator(data.drain(..).filter_map(|update| f(update, at)));
            });
        }
    })
}

/// `input` unchanged, with `count` told the size of each batch of updates as it passes.
pub fn count_in_order<'s, F>(input: StreamVec<'s, Time, (Row, Time, isize)>, mut count: F) -> StreamVec<'s, Time, (Row, Time, isize)>
where
    F: FnMut(usize) + 'static,
{
    input.unary::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(Pipeline, "Count", move |_cap, _info| {
        move |input, output| {
            input.for_each(|cap, data| {
                count(data.len());
                output.session(&cap).give_container(data);
            });
        }
    })
}
