//! MQTT 3.1.1 on the wire (OASIS standard, 2014): the packets a client needs to join a
//! classroom broker, encoded to and decoded from bytes. Section numbers below refer to
//! that standard.
//!
//! Messages from a room are untrusted: [`decode`] never reads past the buffer, refuses a
//! packet larger than the caller's limit before buffering it, checks reserved flags and
//! UTF-8, and says what is wrong.

use thiserror::Error;

/// Quality of service (3.3.1.2). QoS 2 is not used by Event Dojo and is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QoS {
    AtMostOnce = 0,
    AtLeastOnce = 1,
}

/// The packets a classroom client sends and receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    Connect {
        client_id: String,
        clean_session: bool,
        keep_alive_s: u16,
        username: Option<String>,
        password: Option<Vec<u8>>,
    },
    /// `return_code` 0 is accepted; 1–5 are the refusals of 3.2.2.3.
    ConnAck {
        session_present: bool,
        return_code: u8,
    },
    Publish {
        dup: bool,
        qos: QoS,
        retain: bool,
        topic: String,
        /// Present exactly when `qos` is at least once.
        packet_id: Option<u16>,
        payload: Vec<u8>,
    },
    PubAck {
        packet_id: u16,
    },
    Subscribe {
        packet_id: u16,
        filters: Vec<(String, QoS)>,
    },
    /// Per filter: the granted QoS, or `None` for a refusal (0x80).
    SubAck {
        packet_id: u16,
        granted: Vec<Option<QoS>>,
    },
    Unsubscribe {
        packet_id: u16,
        filters: Vec<String>,
    },
    UnsubAck {
        packet_id: u16,
    },
    PingReq,
    PingResp,
    Disconnect,
}

/// Why bytes are not a packet.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    #[error("packet type {0} is not one a classroom client handles")]
    UnknownType(u8),
    #[error("the flags of a {packet} packet must be {expected:#06b}, not {found:#06b} (MQTT 3.1.1 section 2.2.2)")]
    Flags {
        packet: &'static str,
        expected: u8,
        found: u8,
    },
    #[error("the remaining length takes more than four bytes (section 2.2.3)")]
    Length,
    #[error("the packet is {size} bytes, more than the {limit} allowed")]
    TooLarge { size: usize, limit: usize },
    #[error("a {0} packet ends early")]
    Truncated(&'static str),
    #[error("a {0} packet has bytes left over")]
    TrailingBytes(&'static str),
    #[error("a string is not valid UTF-8 (section 1.5.3)")]
    Utf8,
    #[error("QoS {0} is not supported (Event Dojo uses QoS 0 and 1)")]
    QoS(u8),
    #[error("the protocol is {0:?} level {1}, not MQTT level 4 (3.1.1)")]
    Protocol(String, u8),
}

fn push_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    push_u16(out, s.len() as u16);
    out.extend_from_slice(s.as_bytes());
}

/// The fixed header's remaining length (2.2.3): 7 bits a byte, low bits first.
fn push_length(out: &mut Vec<u8>, mut len: usize) {
    loop {
        let mut byte = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if len == 0 {
            break;
        }
    }
}

/// The name the standard gives a packet type (2.2.1), for the types a client handles.
fn kind_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        1 => "CONNECT",
        2 => "CONNACK",
        3 => "PUBLISH",
        4 => "PUBACK",
        8 => "SUBSCRIBE",
        9 => "SUBACK",
        10 => "UNSUBSCRIBE",
        11 => "UNSUBACK",
        12 => "PINGREQ",
        13 => "PINGRESP",
        14 => "DISCONNECT",
        _ => return None,
    })
}

impl Packet {
    /// The packet's type (2.2.1).
    pub fn kind(&self) -> u8 {
        match self {
            Packet::Connect { .. } => 1,
            Packet::ConnAck { .. } => 2,
            Packet::Publish { .. } => 3,
            Packet::PubAck { .. } => 4,
            Packet::Subscribe { .. } => 8,
            Packet::SubAck { .. } => 9,
            Packet::Unsubscribe { .. } => 10,
            Packet::UnsubAck { .. } => 11,
            Packet::PingReq => 12,
            Packet::PingResp => 13,
            Packet::Disconnect => 14,
        }
    }

    /// The packet's name in the standard, e.g. "CONNACK".
    pub fn name(&self) -> &'static str {
        kind_name(self.kind()).unwrap_or("unknown")
    }
}

/// The bytes of `packet`.
pub fn encode(packet: &Packet) -> Vec<u8> {
    let mut body = Vec::new();
    let first = match packet {
        Packet::Connect {
            client_id,
            clean_session,
            keep_alive_s,
            username,
            password,
        } => {
            push_str(&mut body, "MQTT");
            body.push(4);
            let mut flags = 0u8;
            if *clean_session {
                flags |= 0x02;
            }
            if username.is_some() {
                flags |= 0x80;
            }
            if password.is_some() {
                flags |= 0x40;
            }
            body.push(flags);
            push_u16(&mut body, *keep_alive_s);
            push_str(&mut body, client_id);
            if let Some(u) = username {
                push_str(&mut body, u);
            }
            if let Some(p) = password {
                push_u16(&mut body, p.len() as u16);
                body.extend_from_slice(p);
            }
            0x10
        }
        Packet::ConnAck {
            session_present,
            return_code,
        } => {
            body.push(u8::from(*session_present));
            body.push(*return_code);
            0x20
        }
        Packet::Publish {
            dup,
            qos,
            retain,
            topic,
            packet_id,
            payload,
        } => {
            push_str(&mut body, topic);
            if let Some(id) = packet_id {
                push_u16(&mut body, *id);
            }
            body.extend_from_slice(payload);
            0x30 | (u8::from(*dup) << 3) | ((*qos as u8) << 1) | u8::from(*retain)
        }
        Packet::PubAck { packet_id } => {
            push_u16(&mut body, *packet_id);
            0x40
        }
        Packet::Subscribe { packet_id, filters } => {
            push_u16(&mut body, *packet_id);
            for (filter, qos) in filters {
                push_str(&mut body, filter);
                body.push(*qos as u8);
            }
            0x82
        }
        Packet::SubAck { packet_id, granted } => {
            push_u16(&mut body, *packet_id);
            body.extend(granted.iter().map(|g| g.map_or(0x80, |q| q as u8)));
            0x90
        }
        Packet::Unsubscribe { packet_id, filters } => {
            push_u16(&mut body, *packet_id);
            for filter in filters {
                push_str(&mut body, filter);
            }
            0xA2
        }
        Packet::UnsubAck { packet_id } => {
            push_u16(&mut body, *packet_id);
            0xB0
        }
        Packet::PingReq => 0xC0,
        Packet::PingResp => 0xD0,
        Packet::Disconnect => 0xE0,
    };
    let mut out = vec![first];
    push_length(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// Reads a packet's body, field by field, never past its end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    packet: &'static str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or(WireError::Truncated(self.packet))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, WireError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn string(&mut self) -> Result<String, WireError> {
        let n = self.u16()? as usize;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| WireError::Utf8)
    }

    fn rest(&mut self) -> &'a [u8] {
        let rest = &self.bytes[self.at..];
        self.at = self.bytes.len();
        rest
    }

    fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn done(self) -> Result<(), WireError> {
        if self.is_done() {
            Ok(())
        } else {
            Err(WireError::TrailingBytes(self.packet))
        }
    }
}

fn qos(bits: u8) -> Result<QoS, WireError> {
    match bits {
        0 => Ok(QoS::AtMostOnce),
        1 => Ok(QoS::AtLeastOnce),
        other => Err(WireError::QoS(other)),
    }
}

fn expect_flags(packet: &'static str, found: u8, expected: u8) -> Result<(), WireError> {
    if found == expected {
        Ok(())
    } else {
        Err(WireError::Flags {
            packet,
            expected,
            found,
        })
    }
}

/// Decodes the first packet in `bytes`: `Ok(None)` when more bytes are needed, otherwise
/// the packet and how many bytes it took. A packet longer than `limit` bytes is refused
/// as soon as its header says so.
pub fn decode(bytes: &[u8], limit: usize) -> Result<Option<(Packet, usize)>, WireError> {
    let Some(&first) = bytes.first() else {
        return Ok(None);
    };
    let mut len = 0usize;
    let mut header = 1;
    loop {
        let Some(&byte) = bytes.get(header) else {
            return Ok(None);
        };
        len += usize::from(byte & 0x7F) << (7 * (header - 1));
        header += 1;
        if byte & 0x80 == 0 {
            break;
        }
        if header == 5 {
            return Err(WireError::Length);
        }
    }
    let size = header + len;
    if size > limit {
        return Err(WireError::TooLarge { size, limit });
    }
    if bytes.len() < size {
        return Ok(None);
    }
    let kind = first >> 4;
    let flags = first & 0x0F;
    let body = &bytes[header..size];
    let name = kind_name(kind).ok_or(WireError::UnknownType(kind))?;
    let mut r = Reader {
        bytes: body,
        at: 0,
        packet: name,
    };
    let packet = match kind {
        1 => {
            expect_flags(name, flags, 0)?;
            let protocol = r.string()?;
            let level = r.u8()?;
            if protocol != "MQTT" || level != 4 {
                return Err(WireError::Protocol(protocol, level));
            }
            let connect_flags = r.u8()?;
            let keep_alive_s = r.u16()?;
            let client_id = r.string()?;
            if connect_flags & 0x04 != 0 {
                // A will: topic and message, which a classroom client never sends.
                r.string()?;
                let n = r.u16()? as usize;
                r.take(n)?;
            }
            let username = if connect_flags & 0x80 != 0 {
                Some(r.string()?)
            } else {
                None
            };
            let password = if connect_flags & 0x40 != 0 {
                let n = r.u16()? as usize;
                Some(r.take(n)?.to_vec())
            } else {
                None
            };
            r.done()?;
            Packet::Connect {
                client_id,
                clean_session: connect_flags & 0x02 != 0,
                keep_alive_s,
                username,
                password,
            }
        }
        2 => {
            expect_flags(name, flags, 0)?;
            let ack = r.u8()?;
            let return_code = r.u8()?;
            r.done()?;
            Packet::ConnAck {
                session_present: ack & 1 == 1,
                return_code,
            }
        }
        3 => {
            let qos = qos((flags >> 1) & 0x03)?;
            let topic = r.string()?;
            let packet_id = if qos == QoS::AtLeastOnce {
                Some(r.u16()?)
            } else {
                None
            };
            Packet::Publish {
                dup: flags & 0x08 != 0,
                qos,
                retain: flags & 0x01 != 0,
                topic,
                packet_id,
                payload: r.rest().to_vec(),
            }
        }
        4 | 11 => {
            expect_flags(name, flags, 0)?;
            let packet_id = r.u16()?;
            r.done()?;
            if kind == 4 {
                Packet::PubAck { packet_id }
            } else {
                Packet::UnsubAck { packet_id }
            }
        }
        8 => {
            expect_flags(name, flags, 0x02)?;
            let packet_id = r.u16()?;
            let mut filters = Vec::new();
            while !r.is_done() {
                let filter = r.string()?;
                filters.push((filter, qos(r.u8()?)?));
            }
            Packet::Subscribe { packet_id, filters }
        }
        9 => {
            expect_flags(name, flags, 0)?;
            let packet_id = r.u16()?;
            let granted = r
                .rest()
                .iter()
                .map(|&g| {
                    if g == 0x80 {
                        Ok(None)
                    } else {
                        qos(g).map(Some)
                    }
                })
                .collect::<Result<_, _>>()?;
            Packet::SubAck { packet_id, granted }
        }
        10 => {
            expect_flags(name, flags, 0x02)?;
            let packet_id = r.u16()?;
            let mut filters = Vec::new();
            while !r.is_done() {
                filters.push(r.string()?);
            }
            Packet::Unsubscribe { packet_id, filters }
        }
        12..=14 => {
            expect_flags(name, flags, 0)?;
            r.done()?;
            match kind {
                12 => Packet::PingReq,
                13 => Packet::PingResp,
                _ => Packet::Disconnect,
            }
        }
        _ => unreachable!("every known type is matched above"),
    };
    Ok(Some((packet, size)))
}

#[cfg(test)]
mod tests;
