using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Models.Runtime;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Reads and writes the safetensors format (as used by Hugging Face): an 8-byte little-endian header length, a JSON
/// header <c>{name: {dtype, shape, data_offsets}}</c> (optionally <c>__metadata__</c>), then raw little-endian data.
/// Every structural problem is reported as <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class SafeTensorsFile
{
    private const string MetadataKey = "__metadata__";

    // Headers are small (a few hundred bytes per tensor); anything far larger means a corrupt length field.
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Writes <paramref name="tensors"/> (any device; copied to the CPU) to <paramref name="path"/>, keys sorted.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian machines are not supported.");
        }

        var names = tensors.Keys.OrderBy(name => name, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is not null)
        {
            header[MetadataKey] = new JsonObject(metadata.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value))));
        }

        long offset = 0;
        foreach (var name in names)
        {
            var tensor = tensors[name];
            var size = tensor.NumberOfElements * tensor.ElementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = DTypeCode(tensor.dtype, name),
                ["shape"] = new JsonArray(tensor.shape.Select(dim => (JsonNode?)JsonValue.Create(dim)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + size)),
            };
            offset += size;
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (headerBytes.Length + 7) / 8 * 8;  // keep the data section 8-byte aligned, as the reference writer does
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(headerBytes);
        for (var i = headerBytes.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }

        foreach (var name in names)
        {
            // A scope per tensor: the detached view and the host copies are freed as soon as they are written, also
            // for callers without a scope of their own (the fine-tuner's best weights, the Hugging Face exporter).
            using var scope = NewDisposeScope();
            stream.Write(tensors[name].detach().cpu().contiguous().bytes);
        }
    }

    /// <summary>Reads and checks the header of <paramref name="path"/> without loading any data.</summary>
    public static IReadOnlyList<SafeTensorInfo> ReadHeader(string path)
    {
        using var stream = OpenForReading(path);
        return ReadHeader(stream, path, out _);
    }

    /// <summary>
    /// Loads every tensor of <paramref name="path"/> onto the CPU, keeping the stored dtype.
    /// Throws <see cref="FileNotFoundException"/> for a missing file and <see cref="InvalidDataException"/> for a
    /// truncated or corrupt one.
    /// </summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = OpenForReading(path);
        var entries = ReadHeader(stream, path, out var dataStart);
        // Loaders that read weights before they build a model (Hugging Face import, ML.NET LoadModel) make their first
        // native call here: a machine without a loadable libtorch gets TorchRuntime's one message, not a loader trace.
        TorchRuntime.EnsureAvailable();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var bytes = new byte[entry.End - entry.Begin];
            stream.Position = dataStart + entry.Begin;
            stream.ReadExactly(bytes);
            result[entry.Name] = FromBytes(bytes, entry);
        }

        return result;
    }

    private static FileStream OpenForReading(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The weights file '{path}' does not exist.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
    }

    private static List<SafeTensorInfo> ReadHeader(FileStream stream, string path, out long dataStart)
    {
        var fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw Corrupt(path, $"it has {fileLength} bytes, fewer than the 8-byte header length");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > fileLength - 8)
        {
            throw Corrupt(path, $"the header claims {headerLength} bytes but the file has only {fileLength - 8} after the length field");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        dataStart = 8 + (long)headerLength;
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes) as JsonObject ?? throw Corrupt(path, "the header is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw Corrupt(path, $"the header is not valid JSON ({ex.Message})", ex);
        }

        var entries = new List<SafeTensorInfo>();
        foreach (var (name, node) in header)
        {
            if (name == MetadataKey)
            {
                continue;
            }

            entries.Add(ParseEntry(name, node, path));
        }

        var dataLength = fileLength - dataStart;
        foreach (var entry in entries)
        {
            var expected = ElementSize(entry.DType) * entry.Shape.Aggregate(1L, (product, dim) => product * dim);
            if (entry.Begin < 0 || entry.End < entry.Begin || entry.End - entry.Begin != expected)
            {
                throw Corrupt(path, $"tensor '{entry.Name}' has data offsets [{entry.Begin}, {entry.End}) that do not match its shape [{string.Join(", ", entry.Shape)}] and dtype {entry.DType}");
            }

            if (entry.End > dataLength)
            {
                throw Corrupt(path, $"it is truncated: tensor '{entry.Name}' ends at byte {entry.End} of the data section but the file holds only {dataLength} data bytes");
            }
        }

        return entries;
    }

    private static SafeTensorInfo ParseEntry(string name, JsonNode? node, string path)
    {
        try
        {
            var dtype = node?["dtype"]?.GetValue<string>() ?? throw Corrupt(path, $"tensor '{name}' has no dtype");
            _ = ElementSize(dtype, path, name);
            var shape = (node["shape"] as JsonArray ?? throw Corrupt(path, $"tensor '{name}' has no shape"))
                .Select(dim => dim!.GetValue<long>()).ToArray();
            var offsets = node["data_offsets"] as JsonArray;
            if (offsets is not { Count: 2 } || shape.Any(dim => dim < 0))
            {
                throw Corrupt(path, $"tensor '{name}' needs a non-negative shape and two data_offsets");
            }

            return new SafeTensorInfo(name, dtype, shape, offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw Corrupt(path, $"tensor '{name}' has a malformed header entry ({ex.Message})", ex);
        }
    }

    private static Tensor FromBytes(byte[] bytes, SafeTensorInfo entry)
    {
        var shape = entry.Shape;
        // On the CPU by name, as Read promises: TorchSharp's default device may be CUDA in the caller's process.
        return entry.DType switch
        {
            "F32" => tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape, device: CPU),
            "F64" => tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape, device: CPU),
            "I64" => tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape, device: CPU),
            "I32" => tensor(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), shape, device: CPU),
            "I16" => tensor(MemoryMarshal.Cast<byte, short>(bytes).ToArray(), shape, device: CPU),
            "I8" => tensor(MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray(), shape, device: CPU),
            "U8" => tensor(bytes, shape, device: CPU),
            "BOOL" => tensor(bytes.Select(value => value != 0).ToArray(), shape, device: CPU),
            // Half and bfloat16 widen to float32 exactly, then narrow back exactly.
            "F16" => Narrowed(tensor(MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(value => (float)value).ToArray(), shape, device: CPU), ScalarType.Float16),
            "BF16" => Narrowed(tensor(MemoryMarshal.Cast<byte, ushort>(bytes).ToArray().Select(BFloat16ToSingle).ToArray(), shape, device: CPU), ScalarType.BFloat16),
            _ => throw new InvalidDataException($"Unsupported safetensors dtype '{entry.DType}' for tensor '{entry.Name}'."),
        };
    }

    /// <summary>The <paramref name="type"/> copy of <paramref name="wide"/>, which is freed at once rather than left to the finalizer.</summary>
    private static Tensor Narrowed(Tensor wide, ScalarType type)
    {
        using (wide)
        {
            return wide.to(type);
        }
    }

    private static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>The safetensors dtype code of <paramref name="dtype"/>, e.g. <c>F32</c>, as a header gives it.</summary>
    /// <exception cref="NotSupportedException">A dtype safetensors has no code for here; the message names tensor <paramref name="name"/>.</exception>
    internal static string DTypeCode(ScalarType dtype, string name) => dtype switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"Tensor '{name}' has dtype {dtype}, which safetensors cannot store here."),
    };

    private static long ElementSize(string dtype, string path = "", string name = "") => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw Corrupt(path, $"tensor '{name}' has unsupported dtype '{dtype}' (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)"),
    };

    private static InvalidDataException Corrupt(string path, string reason, Exception? inner = null) =>
        new($"The weights file '{path}' is truncated or corrupt: {reason}. Save the model again or re-download the file.", inner);
}
