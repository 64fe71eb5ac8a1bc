using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ActorQuotes.Gateway.Tests.Cluster.Partition;

/// <summary>
/// Holds every packet that an iptables rule sends to NFQUEUE <see cref="QueueNumber"/> for a fixed time, then lets
/// it go on in arrival order: a link delay made in user space, because this kernel has no <c>sch_netem</c>. The
/// packets wait in the kernel; this only hears of each one (its id, no payload) over an nfnetlink socket opened in
/// the packet's network namespace, and later accepts every packet up to an id with one batch verdict. A notice
/// lost to a full socket buffer costs nothing: the next batch verdict accepts that packet too.
/// </summary>
public sealed class PacketDelayer : IDisposable
{
    public const ushort QueueNumber = 0;

    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int NetlinkNetfilter = 12;
    private const int SolSocket = 1;
    private const int SoRcvbufforce = 33;
    private const int SolNetlink = 270;
    private const int NetlinkNoEnobufs = 5;
    private const int MsgDontwait = 0x40;
    private const short Pollin = 0x1;

    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NfqnlMsgPacket = (3 << 8) | 0;
    private const ushort NfqnlMsgConfig = (3 << 8) | 2;
    private const ushort NfqnlMsgVerdictBatch = (3 << 8) | 3;

    private readonly TimeSpan _delay;
    private readonly List<Queue> _queues = [];
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _delayed;
    private Exception? _failure;

    private PacketDelayer(TimeSpan delay)
    {
        _delay = delay;
        _thread = new Thread(Run) { IsBackground = true, Name = "packet-delayer" };
    }

    /// <summary>Packets held and let go so far.</summary>
    public long Delayed => Interlocked.Read(ref _delayed);

    /// <summary>Binds queue <see cref="QueueNumber"/> in each named network namespace and starts delaying.</summary>
    public static PacketDelayer Start(IEnumerable<string> namespaces, TimeSpan delay)
    {
        var delayer = new PacketDelayer(delay);
        try
        {
            foreach (var ns in namespaces)
            {
                delayer._queues.Add(new Queue(ns, OpenIn(ns)));
            }

            foreach (var queue in delayer._queues)
            {
                Bind(queue);
            }
        }
        catch
        {
            delayer.Close();
            throw;
        }

        delayer._thread.Start();
        return delayer;
    }

    /// <summary>Lets every held packet go now and stops; remove the rules that queue packets first.</summary>
    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        foreach (var queue in _queues.Where(q => q.LastSeen is not null))
        {
            Accept(queue, queue.LastSeen!.Value);
        }

        Close();
        if (_failure is not null)
        {
            throw new InvalidOperationException("The packet delayer failed", _failure);
        }
    }

    private void Close()
    {
        foreach (var queue in _queues)
        {
            _ = close(queue.Fd);
        }

        _queues.Clear();
    }

    private void Run()
    {
        var buffer = new byte[1 << 16];
        var polls = new PollFd[_queues.Count];
        try
        {
            while (!_stop)
            {
                var now = Stopwatch.GetTimestamp();
                var wait = 20;
                foreach (var queue in _queues)
                {
                    uint? due = null;
                    while (queue.Held.TryPeek(out var held) && held.Due <= now)
                    {
                        due = queue.Held.Dequeue().Id;
                        Interlocked.Increment(ref _delayed);
                    }

                    if (due is { } id)
                    {
                        Accept(queue, id);
                    }

                    if (queue.Held.TryPeek(out var next))
                    {
                        wait = Math.Min(wait, (int)Math.Ceiling(Stopwatch.GetElapsedTime(now, next.Due).TotalMilliseconds));
                    }
                }

                for (var i = 0; i < _queues.Count; i++)
                {
                    polls[i] = new PollFd { Fd = _queues[i].Fd, Events = Pollin };
                }

                if (poll(polls, (nuint)polls.Length, Math.Max(wait, 0)) < 0)
                {
                    continue; // EINTR
                }

                for (var i = 0; i < _queues.Count; i++)
                {
                    if ((polls[i].Revents & Pollin) != 0)
                    {
                        Receive(_queues[i], buffer);
                    }
                }
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    private void Receive(Queue queue, byte[] buffer)
    {
        while (true)
        {
            var length = (int)recv(queue.Fd, buffer, (nuint)buffer.Length, MsgDontwait);
            if (length <= 0)
            {
                return; // EAGAIN: read everything there was
            }

            var arrived = Stopwatch.GetTimestamp();
            var due = arrived + (long)(_delay.TotalSeconds * Stopwatch.Frequency);
            for (var at = 0; at + 16 <= length;)
            {
                var messageLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at));
                var type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(at + 4));
                if (messageLength < 16 || at + messageLength > length)
                {
                    break;
                }

                if (type == NfqnlMsgPacket && PacketId(buffer.AsSpan(at + 20, messageLength - 20)) is { } id)
                {
                    queue.Held.Enqueue((id, due));
                    queue.LastSeen = id;
                }

                at += Align(messageLength);
            }
        }
    }

    private static uint? PacketId(ReadOnlySpan<byte> attributes)
    {
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x3fff;
            if (length < 4 || length > attributes.Length)
            {
                return null;
            }

            if (type == 1 && length >= 8) // NFQA_PACKET_HDR: be32 packet_id, be16 hw_protocol, u8 hook
            {
                return BinaryPrimitives.ReadUInt32BigEndian(attributes[4..]);
            }

            attributes = attributes[Math.Min(Align(length), attributes.Length)..];
        }

        return null;
    }

    private static int OpenIn(string ns)
    {
        var fd = PartitionNetwork.InNamespace(ns, () => Check(socket(AfNetlink, SockRaw, NetlinkNetfilter), "socket(AF_NETLINK, NETLINK_NETFILTER)"));
        var address = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(address, AfNetlink);
        Check(bind(fd, address, (uint)address.Length), "bind netlink");
        var size = BitConverter.GetBytes(8 << 20);
        _ = setsockopt(fd, SolSocket, SoRcvbufforce, size, 4);
        _ = setsockopt(fd, SolNetlink, NetlinkNoEnobufs, BitConverter.GetBytes(1), 4);
        return fd;
    }

    private static void Bind(Queue queue)
    {
        // NFQA_CFG_CMD: command BIND, pf 0.
        Request(queue, NfqnlMsgConfig, NlmFRequest | NlmFAck, (1, [1, 0, 0, 0]));
        // NFQA_CFG_PARAMS: copy no payload (NFQNL_COPY_META); NFQA_CFG_QUEUE_MAXLEN; NFQA_CFG_MASK/FLAGS: GSO packets whole.
        Request(queue, NfqnlMsgConfig, NlmFRequest | NlmFAck,
            (2, [0, 0, 0, 0, 1]), (3, BigEndian(65536)), (4, BigEndian(1 << 2)), (5, BigEndian(1 << 2)));
    }

    private static void Accept(Queue queue, uint id)
    {
        // NFQA_VERDICT_HDR: NF_ACCEPT for every held packet up to and including id.
        var verdict = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(verdict, 1);
        BinaryPrimitives.WriteUInt32BigEndian(verdict.AsSpan(4), id);
        Request(queue, NfqnlMsgVerdictBatch, NlmFRequest, (2, verdict));
    }

    private static void Request(Queue queue, ushort type, ushort flags, params (ushort Type, byte[] Value)[] attributes)
    {
        var length = 16 + 4 + attributes.Sum(a => Align(4 + a.Value.Length));
        var message = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), ++queue.Sequence);
        // nfgenmsg: family AF_UNSPEC, version 0, the queue number big-endian.
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(18), QueueNumber);
        var at = 20;
        foreach (var (attributeType, value) in attributes)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(at), (ushort)(4 + value.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(at + 2), attributeType);
            value.CopyTo(message, at + 4);
            at += Align(4 + value.Length);
        }

        if (send(queue.Fd, message, (nuint)message.Length, 0) != length)
        {
            throw new InvalidOperationException($"nfnetlink send in {queue.Namespace} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        if ((flags & NlmFAck) != 0)
        {
            var answer = new byte[4096];
            var received = (int)recv(queue.Fd, answer, (nuint)answer.Length, 0);
            if (received < 20 || BinaryPrimitives.ReadUInt16LittleEndian(answer.AsSpan(4)) != NlmsgError)
            {
                throw new InvalidOperationException($"nfnetlink in {queue.Namespace} gave no acknowledgement");
            }

            var error = BinaryPrimitives.ReadInt32LittleEndian(answer.AsSpan(16));
            if (error != 0)
            {
                throw new InvalidOperationException(
                    $"nfnetlink in {queue.Namespace} refused the queue configuration: errno {-error} (is nfnetlink_queue in this kernel?)");
            }
        }
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static int Align(int length) => (length + 3) & ~3;

    private static int Check(int result, string what) =>
        result >= 0 ? result : throw new InvalidOperationException($"{what} failed: errno {Marshal.GetLastPInvokeError()}");

    private sealed class Queue(string ns, int fd)
    {
        public string Namespace { get; } = ns;

        public int Fd { get; } = fd;

        public Queue<(uint Id, long Due)> Held { get; } = new();

        public uint? LastSeen { get; set; }

        public uint Sequence { get; set; }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern int bind(int fd, byte[] address, uint length);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, byte[] value, uint length);

    [DllImport("libc", SetLastError = true)]
    private static extern nint send(int fd, byte[] buffer, nuint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint recv(int fd, byte[] buffer, nuint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int poll([In, Out] PollFd[] fds, nuint count, int timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
