//! The hot path allocates nothing: a single-sentence message (tagged or
//! not, any fixed layout) is parsed in place and decoded on the stack.
//! This binary counts every heap allocation of the process through its
//! global allocator, so it runs without the test harness (`harness =
//! false`): the harness's own threads allocated now and then while the test
//! ran, and about one run in twenty failed on their allocations.

use corridor_ais::{Body, Decoder};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const LINES: &[&str] = &[
    "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
    "!AIVDM,1,1,,B,403Ovi1uM<j0;o>4T`KS3wG006@0,0*1A\r\n",
    "!AIVDM,1,1,,A,33AGNJ003>G<L>RKU>fS:RpD8000,0*33\n",
    "!AIVDO,1,1,,,B52K>;h00Fc>jpUlNV@ikwpUoP06,0*0F",
    "\\s:rSAR0,c:1700000000*38\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
    "\\s:rSAR1,c:1700000000*39\\!AIVDM,1,1,,B,403Ovi1uM<j0;o>4T`KS3wG006@0,0*1A",
    "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A,d-100,S1234,1325394060",
    "!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D",
];

fn main() {
    single_sentence_messages_do_not_allocate();
    println!("no_alloc: single-sentence messages decode without allocating: ok");
}

fn single_sentence_messages_do_not_allocate() {
    let mut d = Decoder::default();
    let mut n = 0usize;
    let mut positions = 0usize;
    // Warm up (the decoder's own structures), then count.
    for l in LINES {
        d.feed_line(l.as_bytes(), |_| {});
    }
    // The counter sees allocations at all (a control).
    let control = Region::new(GLOBAL);
    let v = std::hint::black_box(vec![0u8; 64]);
    assert!(control.change().allocations >= 1);
    drop(v);
    let region = Region::new(GLOBAL);
    for _ in 0..1000 {
        for l in LINES {
            d.feed_line(l.as_bytes(), |m| {
                n += 1;
                positions += usize::from(matches!(m.message.body, Body::Position(_)));
            });
        }
    }
    let stats = region.change();
    assert_eq!(n, 1000 * LINES.len(), "every line decodes: {:?}", d.stats());
    assert!(positions > 0);
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");
}
