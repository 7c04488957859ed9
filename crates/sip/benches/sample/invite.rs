//! The INVITE the message bench, the allocation test and the callgrind example share: a
//! desk phone's INVITE with SDP (13 headers, 298-byte body).

pub const INVITE: &str = "INVITE sip:6001@192.0.2.10:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\n\
To: <sip:6001@192.0.2.10>\r\n\
From: \"Alice\" <sip:alice@192.0.2.10>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@192.0.2.20:5062;transport=udp>\r\n\
Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO, UPDATE\r\n\
Supported: replaces, timer\r\n\
User-Agent: Yealink SIP-T46S 66.86.0.15\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 298\r\n\
\r\n\
v=0\r\n\
o=- 20518 0 IN IP4 192.0.2.20\r\n\
s=SDP data\r\n\
c=IN IP4 192.0.2.20\r\n\
t=0 0\r\n\
m=audio 11780 RTP/AVP 0 8 9 18 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:9 G722/8000\r\n\
a=rtpmap:18 G729/8000\r\n\
a=fmtp:18 annexb=no\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15\r\n\
a=ptime:20\r\n\
a=sendrecv\r\n";
