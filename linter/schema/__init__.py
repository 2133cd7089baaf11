"""TODO schema"""
