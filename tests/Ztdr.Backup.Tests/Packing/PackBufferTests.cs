using System.Security.Cryptography;
using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Tests.Packing;

public sealed class PackBufferTests
{
    [Fact]
    public void Append_PastCapacity_GrowsAndKeepsEveryByte()
    {
        var first = RandomNumberGenerator.GetBytes(3000);
        var second = RandomNumberGenerator.GetBytes(5000);
        using var buffer = new PackBuffer(4096);

        buffer.Write(first);
        buffer.Write(second);

        Assert.Equal(8000, buffer.Length);
        Assert.Equal([.. first, .. second], buffer.Written.ToArray());
    }

    [Fact]
    public void Written_BufferFromThePool_HoldsOnlyWhatThisPackWrote()
    {
        const int Size = 2 * 1024 * 1024;
        using (var earlier = new PackBuffer(Size))
        {
            earlier.Write(RandomNumberGenerator.GetBytes(Size));
        }

        using var later = new PackBuffer(Size);
        later.Write([1, 2, 3]);

        Assert.Equal([1, 2, 3], later.Written.ToArray());
    }
}
