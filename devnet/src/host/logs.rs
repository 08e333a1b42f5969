//! Logs (`emit_log`) and the debug `console` module.

use super::{
    buy_gas, hostio, in_static, len64, offset, p, read, Ctx, Error, Frame, Linker, Log, B256,
    HOSTIO_INK,
};

/// Links this capability's host functions.
pub(super) fn link(l: &mut Linker<Frame>) {
    let h = "vm_hooks";
    let ok = "should define each host function once";
    l.func_wrap(h, "emit_log", |mut c: Ctx<'_>, data: i32, len: i32, topics: i32| {
        hostio(&mut c, HOSTIO_INK + p::EVM_API_INK)?;
        let (topics, len) = (len64(topics), len64(len));
        if topics > 4 || len < topics * 32 {
            return Err(Error::new("bad topic data"));
        }
        hostio(&mut c, p::read_ink(len))?;
        buy_gas(&mut c, p::LOG_TOPIC_GAS * (1 + topics) + p::LOG_DATA_GAS * (len - topics * 32))?;
        let bytes = read(&c, data, usize::try_from(len).expect("should fit in memory"))?;
        in_static(&c, "log")?;
        let split = usize::try_from(topics * 32).expect("should be at most 128");
        let frame = c.data();
        frame.shared.world.borrow_mut().push_log(Log {
            address: frame.request.address,
            topics: bytes[..split].chunks(32).map(B256::from_slice).collect(),
            data: bytes[split..].to_vec(),
        });
        Ok(())
    })
    .expect(ok);
    // Debug builds only (the validator refuses them for deployment); free.
    l.func_wrap("console", "log_txt", |mut c: Ctx<'_>, ptr: i32, len: i32| {
        let text = String::from_utf8_lossy(&read(&c, ptr, offset(len))?).into_owned();
        c.data_mut().console.push(text);
        Ok(())
    })
    .expect(ok);
    l.func_wrap("console", "log_i32", |mut c: Ctx<'_>, v: i32| {
        c.data_mut().console.push(v.to_string());
    })
    .expect(ok);
    l.func_wrap("console", "log_i64", |mut c: Ctx<'_>, v: i64| {
        c.data_mut().console.push(v.to_string());
    })
    .expect(ok);
    l.func_wrap("console", "log_f32", |mut c: Ctx<'_>, v: f32| {
        c.data_mut().console.push(v.to_string());
    })
    .expect(ok);
    l.func_wrap("console", "log_f64", |mut c: Ctx<'_>, v: f64| {
        c.data_mut().console.push(v.to_string());
    })
    .expect(ok);
}
