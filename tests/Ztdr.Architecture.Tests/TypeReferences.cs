using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Ztdr.Architecture.Tests;

/// <summary>
/// Which types the types of some namespaces use, read from compiled metadata (no loading, no reflection on live
/// types): base types, interfaces, attributes, every signature (fields, methods, properties, events, locals,
/// generic constraints, catch clauses) and every token in method bodies. Nested types, which include the
/// compiler's closures and async state machines, count as their outermost type's namespace.
/// </summary>
internal static class TypeReferences
{
    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    /// <summary>Pairs of (type in a selected namespace, referenced type name) for which <paramref name="forbidden"/> holds.</summary>
    public static IReadOnlyList<string> Find(string assemblyPath, Func<string, bool> selectNamespace, Func<string, bool> forbidden)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeDefinitions)
        {
            if (!selectNamespace(OutermostNamespace(reader, handle)))
            {
                continue;
            }

            var owner = TypeDefinitionName(reader, handle);
            foreach (var name in Referenced(reader, pe, handle))
            {
                if (forbidden(name))
                {
                    violations.Add($"{owner} uses {name}");
                }
            }
        }

        return violations.ToList();
    }

    /// <summary>Full names of the types in the selected namespaces (to tell "rule holds" from "nothing was checked").</summary>
    public static IReadOnlyList<string> TypesIn(string assemblyPath, Func<string, bool> selectNamespace)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.TypeDefinitions.Where(h => selectNamespace(OutermostNamespace(reader, h))).Select(h => TypeDefinitionName(reader, h)).ToList();
    }

    private static HashSet<string> Referenced(MetadataReader reader, PEReader pe, TypeDefinitionHandle handle)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var provider = new NameCollector(reader, names);
        var type = reader.GetTypeDefinition(handle);
        AddType(reader, provider, type.BaseType, names);
        foreach (var implementation in type.GetInterfaceImplementations())
        {
            AddType(reader, provider, reader.GetInterfaceImplementation(implementation).Interface, names);
        }

        AddAttributes(reader, provider, type.GetCustomAttributes(), names);
        AddGenericConstraints(reader, provider, type.GetGenericParameters(), names);
        foreach (var fieldHandle in type.GetFields())
        {
            var field = reader.GetFieldDefinition(fieldHandle);
            field.DecodeSignature(provider, null);
            AddAttributes(reader, provider, field.GetCustomAttributes(), names);
        }

        foreach (var propertyHandle in type.GetProperties())
        {
            var property = reader.GetPropertyDefinition(propertyHandle);
            property.DecodeSignature(provider, null);
            AddAttributes(reader, provider, property.GetCustomAttributes(), names);
        }

        foreach (var eventHandle in type.GetEvents())
        {
            var definition = reader.GetEventDefinition(eventHandle);
            AddType(reader, provider, definition.Type, names);
            AddAttributes(reader, provider, definition.GetCustomAttributes(), names);
        }

        foreach (var methodHandle in type.GetMethods())
        {
            var method = reader.GetMethodDefinition(methodHandle);
            method.DecodeSignature(provider, null);
            AddAttributes(reader, provider, method.GetCustomAttributes(), names);
            AddGenericConstraints(reader, provider, method.GetGenericParameters(), names);
            foreach (var parameter in method.GetParameters())
            {
                AddAttributes(reader, provider, reader.GetParameter(parameter).GetCustomAttributes(), names);
            }

            if (method.RelativeVirtualAddress != 0)
            {
                AddBody(reader, provider, pe.GetMethodBody(method.RelativeVirtualAddress), names);
            }
        }

        return names;
    }

    private static void AddBody(MetadataReader reader, NameCollector provider, MethodBodyBlock body, HashSet<string> names)
    {
        if (!body.LocalSignature.IsNil)
        {
            reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null);
        }

        foreach (var region in body.ExceptionRegions)
        {
            AddType(reader, provider, region.CatchType, names);
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il.ReadByte()));
            }

            switch (OperandTypes[value])
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    AddToken(reader, provider, MetadataTokens.EntityHandle(il.ReadInt32()), names);
                    break;
                case OperandType.InlineSig:
                    reader.GetStandaloneSignature((StandaloneSignatureHandle)MetadataTokens.EntityHandle(il.ReadInt32())).DecodeMethodSignature(provider, null);
                    break;
                case OperandType.InlineSwitch:
                    // Read the count first: "Offset += 4 * ReadInt32()" would read Offset before ReadInt32 moved it.
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineBrTarget:
                case OperandType.InlineI:
                case OperandType.InlineString:
                case OperandType.ShortInlineR:
                    il.Offset += 4;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                default:
                    break;
            }
        }
    }

    private static void AddToken(MetadataReader reader, NameCollector provider, EntityHandle handle, HashSet<string> names)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
            case HandleKind.TypeReference:
            case HandleKind.TypeSpecification:
                AddType(reader, provider, handle, names);
                break;
            case HandleKind.MemberReference:
                var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                AddToken(reader, provider, member.Parent, names);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    member.DecodeMethodSignature(provider, null);
                }
                else
                {
                    member.DecodeFieldSignature(provider, null);
                }

                break;
            case HandleKind.MethodDefinition:
                var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                AddType(reader, provider, method.GetDeclaringType(), names);
                method.DecodeSignature(provider, null);
                break;
            case HandleKind.FieldDefinition:
                var field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                AddType(reader, provider, field.GetDeclaringType(), names);
                field.DecodeSignature(provider, null);
                break;
            case HandleKind.MethodSpecification:
                var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddToken(reader, provider, specification.Method, names);
                specification.DecodeSignature(provider, null);
                break;
            default:
                break;
        }
    }

    private static void AddAttributes(MetadataReader reader, NameCollector provider, CustomAttributeHandleCollection attributes, HashSet<string> names)
    {
        foreach (var attribute in attributes)
        {
            AddToken(reader, provider, reader.GetCustomAttribute(attribute).Constructor, names);
        }
    }

    private static void AddGenericConstraints(MetadataReader reader, NameCollector provider, GenericParameterHandleCollection parameters, HashSet<string> names)
    {
        foreach (var parameter in parameters)
        {
            foreach (var constraint in reader.GetGenericParameter(parameter).GetConstraints())
            {
                AddType(reader, provider, reader.GetGenericParameterConstraint(constraint).Type, names);
            }
        }
    }

    private static void AddType(MetadataReader reader, NameCollector provider, EntityHandle handle, HashSet<string> names)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                names.Add(TypeDefinitionName(reader, (TypeDefinitionHandle)handle));
                break;
            case HandleKind.TypeReference:
                names.Add(TypeReferenceName(reader, (TypeReferenceHandle)handle));
                break;
            case HandleKind.TypeSpecification:
                reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(provider, null);
                break;
            default:
                break;
        }
    }

    private static string OutermostNamespace(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.IsNested)
        {
            type = reader.GetTypeDefinition(type.GetDeclaringType());
        }

        return reader.GetString(type.Namespace);
    }

    internal static string TypeDefinitionName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var name = reader.GetString(type.Name);
        if (type.IsNested)
        {
            return TypeDefinitionName(reader, type.GetDeclaringType()) + "+" + name;
        }

        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    internal static string TypeReferenceName(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var name = reader.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return TypeReferenceName(reader, (TypeReferenceHandle)type.ResolutionScope) + "+" + name;
        }

        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>Decodes signatures into names, recording every named type it meets on the way (generic arguments included).</summary>
    private sealed class NameCollector(MetadataReader reader, HashSet<string> names) : ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => "System." + typeCode;

        public string GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind) => Record(TypeDefinitionName(reader, handle));

        public string GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => Record(TypeReferenceName(reader, handle));

        public string GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";

        public string GetByReferenceType(string elementType) => elementType + "&";

        public string GetPointerType(string elementType) => elementType + "*";

        public string GetPinnedType(string elementType) => elementType;

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(",", typeArguments) + ">";

        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;

        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;

        public string GetFunctionPointerType(MethodSignature<string> signature) => "method*";

        private string Record(string name)
        {
            names.Add(name);
            return name;
        }
    }
}
