namespace Switchboard.Protocols.Stun;
